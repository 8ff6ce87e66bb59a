import type { LogbookPaths } from '../../capture/paths';
import type { RedactionSettings, Redactor } from '../../domain/redaction/types';
import type { IngestReport } from '../ingestor';
import { describeHolderShort } from '../lock-text';
import { RedactorCache } from '../redactor-cache';
import { LogbookWriter } from '../writer';
import type { IngestSummary, WriterRequest, WriterResult, WriterSettings } from './protocol';

// The ingest worker's side: the workspace's single writer and what LiveIngest asks of it, one
// request at a time. Nothing here throws to the caller: a failure is an answer (`failed`), and a
// failed pass or a lost lock closes the writer, as LiveIngest did when it ran on the main thread.

export type HostAnswer =
  | { readonly ok: true; readonly result: WriterResult }
  | { readonly ok: false; readonly error: string; readonly writerClosed: boolean };

export class WriterHost {
  private writer: LogbookWriter | undefined;
  private redaction: RedactionSettings = {};
  private readonly redactors: RedactorCache;

  constructor(
    private readonly paths: LogbookPaths,
    private readonly owner: string,
    private readonly log: (message: string) => void,
  ) {
    this.redactors = new RedactorCache(() => this.redaction, (problems) => log(`logbook.redaction: ${problems.join('; ')}`));
  }

  async handle(request: WriterRequest): Promise<HostAnswer> {
    try {
      return { ok: true, result: await this.answer(request) };
    } catch (error) {
      // A failed pass closes the writer (its store may be behind its journal); another window or a later start takes over.
      const writerClosed = request.type === 'ingest' && this.writer !== undefined;
      if (writerClosed) this.dropWriter();
      return { ok: false, error: (error as Error).message, writerClosed };
    }
  }

  private async answer(request: WriterRequest): Promise<WriterResult> {
    switch (request.type) {
      case 'start': return this.start(request.settings);
      case 'ingest': return this.ingest(request.settings);
      case 'flush': return this.flush();
      case 'idle': return this.idle(request.limit);
      case 'tick': return this.tick();
      case 'close': return this.close();
      default: {
        const never: never = request;
        throw new Error(`unknown request ${JSON.stringify(never)}`);
      }
    }
  }

  private async start(settings: WriterSettings): Promise<WriterResult> {
    this.redaction = settings.redaction;
    if (this.writer !== undefined) return { type: 'started', writer: true, messages: [], lockToken: this.writer.lockToken };
    const redactors = this.redactors;
    // A getter: the Ingestor reads it at every pass, so a settings change applies at once.
    const options = { maxFieldBytes: settings.maxFieldBytes, get redactor(): Redactor { return redactors.redactor; } };
    const started = await LogbookWriter.start(this.paths, this.owner, options);
    if (!started.ok) return { type: 'started', writer: false, holder: describeHolderShort(started.holder) };
    this.writer = started.writer;
    return { type: 'started', writer: true, messages: started.messages, lockToken: started.writer.lockToken };
  }

  private ingest(settings: WriterSettings): WriterResult {
    this.redaction = settings.redaction;
    const writer = this.need();
    const report = writer.ingest();
    return { type: 'ingested', report: summary(report), pendingFlush: writer.pendingFlush };
  }

  // The events were committed by the pass: what is left is batched here (snapshots, archiving).
  private flush(): WriterResult {
    const writer = this.need();
    try {
      if (writer.pendingFlush) writer.flush();
    } catch (error) {
      this.log(`snapshots not written: ${(error as Error).message} (the events are stored)`);
    }
    writer.removeCommittedEntries().catch((error: unknown) => this.log(`inbox cleanup: ${String(error)}`));
    return { type: 'done' };
  }

  private idle(limit: number): WriterResult {
    const writer = this.need();
    return { type: 'idle', done: writer.catchUpFullText(limit), pendingFlush: writer.pendingFlush };
  }

  private tick(): WriterResult {
    const writer = this.writer;
    if (writer === undefined) return { type: 'owned', owned: false };
    if (!writer.stillOwned()) {
      this.dropWriter();
      return { type: 'owned', owned: false };
    }
    writer.heartbeat();
    return { type: 'owned', owned: true };
  }

  private close(): WriterResult {
    const writer = this.writer;
    this.writer = undefined;
    writer?.close();
    return { type: 'done' };
  }

  private need(): LogbookWriter {
    if (this.writer === undefined) throw new Error('this window does not hold the ingest lock');
    return this.writer;
  }

  private dropWriter(): void {
    const writer = this.writer;
    this.writer = undefined;
    try {
      writer?.close();
    } catch {
      // The lock is no longer ours: nothing to flush safely.
    }
  }
}

function summary(report: IngestReport): IngestSummary {
  return {
    appended: report.appended, duplicates: report.duplicates, quarantined: report.quarantined,
    unreadableFiles: report.unreadableFiles, problems: report.problems, usageProblems: report.usageProblems,
    usageEvents: report.usageEvents, sessions: [...report.sessions],
  };
}
