import { readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { LogbookPaths } from '../../capture/paths';
import type { UsageRecordedData } from '../../domain/usage/events';
import type { EventStore } from '../../store/event-store';
import { isReservedStreamId } from '../normalize';
import { readTail } from './transcript-tail';
import type { TailRead } from './transcript-tail';
import { hasUsageState, loadUsageState, saveUsageState } from './usage-state';
import type { FileCursor, UsageCursorState } from './usage-state';
import { usageEventsOf } from './usage-lines';
import { writeUsageEntries } from './usage-entry';

// The writer's reading of transcripts. After each ingest pass it reads what the transcripts of
// the sessions it just ingested gained since last time (the main one, the hooks' transcript_path,
// and its subagents' under <session>/subagents/agent-<id>.jsonl), turns their usage into
// UsageRecorded events and hands them to the inbox; the same pass then ingests them.
// A transcript is Claude Code's file, read as untrusted input: a bad line is counted and named,
// never stops the ingest; a file that cannot be read is said once and tried again next time.

/** Bytes of transcript read per pass at most (about: a line is never cut); the rest waits for the next pass. */
export const USAGE_BYTES_PER_PASS = 16 * 1024 * 1024;
// Hook payloads carry transcript_path; the first few events of a stream always include one.
const EVENTS_SEARCHED_FOR_PATH = 64;
const SUBAGENT_FILE = /^agent-(.+)\.jsonl$/;
/** Bad lines named per file and pass; the rest are counted. */
const NAMED_PER_FILE = 5;

export interface UsageRecording {
  /** Usage entries written into the inbox (the caller ingests them). */
  readonly entries: number;
  readonly events: number;
  /** Bad lines and unreadable files, each naming where. */
  readonly problems: readonly string[];
}

export class UsageRecorder {
  /** Sessions whose transcripts hold more than the last pass's budget let it read. */
  private readonly behind = new Set<string>();
  /** Problems already told (a file that stays unreadable is said once). */
  private readonly told = new Set<string>();

  constructor(
    private readonly paths: LogbookPaths,
    private readonly store: EventStore,
    private readonly budget = USAGE_BYTES_PER_PASS,
  ) {}

  /**
   * Sessions stored before usage was recorded (an upgrade) have no cursors: queued here, their
   * transcripts are read by the next passes, within the budget, while Claude Code still keeps them.
   */
  enqueueUnrecorded(sessionIds: Iterable<string>): number {
    let queued = 0;
    for (const sessionId of sessionIds) {
      if (isReservedStreamId(sessionId) || hasUsageState(this.paths, sessionId)) continue;
      this.behind.add(sessionId);
      queued += 1;
    }
    return queued;
  }

  /** Whether some session's transcripts were not read to their end (the next call goes on). */
  get isBehind(): boolean {
    return this.behind.size > 0;
  }

  /** Reads the new transcript lines of these sessions (and of those left behind) into usage entries in the inbox. */
  record(sessions: Iterable<string>): UsageRecording {
    const problems: string[] = [];
    let entries = 0;
    let events = 0;
    let budget = this.budget;
    const todo = new Set([...this.behind, ...sessions]);
    this.behind.clear();
    for (const sessionId of todo) {
      if (isReservedStreamId(sessionId)) continue;
      if (budget <= 0) {
        this.behind.add(sessionId);
        continue;
      }
      try {
        const done = this.recordSession(sessionId, budget, problems);
        budget -= done.bytes;
        entries += done.entries;
        events += done.events;
        if (done.more) this.behind.add(sessionId);
      } catch (error) {
        this.tell(problems, `usage of session ${sessionId} was not recorded this time: ${(error as Error).message}`);
      }
    }
    return { entries, events, problems };
  }

  private recordSession(sessionId: string, budget: number, problems: string[]): { bytes: number; entries: number; events: number; more: boolean } {
    const loaded = loadUsageState(this.paths, sessionId);
    const state = loaded ?? this.newState(sessionId, problems);
    if (state === undefined) return { bytes: 0, entries: 0, events: 0, more: false };
    const files = { ...state.files };
    const found: UsageRecordedData[] = [];
    let bytes = 0;
    let more = false;
    let moved = false;
    for (const { path, agentId } of this.transcriptFiles(state, problems)) {
      const read = this.readFile(path, files[path], budget - bytes, problems);
      if (read === undefined) continue;
      bytes += read.bytes;
      more ||= read.more;
      if (!sameCursor(files[path], read.cursor)) moved = true;
      files[path] = read.cursor;
      const lines = usageEventsOf(basename(path), read.lines, agentId);
      found.push(...lines.events);
      this.nameBadLines(path, lines.bad, read.tooLong, problems);
      if (bytes >= budget) {
        more = true;
        break;
      }
    }
    // The events are durable in the inbox before the cursors move past their lines.
    const entries = found.length > 0 ? writeUsageEntries(this.paths.inbox, sessionId, found) : 0;
    if (moved || loaded === undefined) saveUsageState(this.paths, { ...state, files });
    return { bytes, entries, events: found.length, more };
  }

  /** A session seen for the first time: its transcript path, from the hook payloads stored. */
  private newState(sessionId: string, problems: string[]): UsageCursorState | undefined {
    // The first event nearly always has it: the others are read (and parsed) only if it has not.
    const first = this.store.readStream(sessionId, { limit: 1 });
    const firstPath = (first[0]?.data as Record<string, unknown> | null | undefined)?.['transcript_path'];
    const searched = typeof firstPath === 'string' && firstPath !== '' ? first : this.store.readStream(sessionId, { limit: EVENTS_SEARCHED_FOR_PATH });
    for (const event of searched) {
      const path = (event.data as Record<string, unknown> | null)?.['transcript_path'];
      if (typeof path !== 'string' || path === '') continue;
      if (!isAbsolute(path) || !path.endsWith('.jsonl')) {
        this.tell(problems, `session ${sessionId}: transcript_path ${JSON.stringify(path.slice(0, 300))} is not an absolute .jsonl path; its usage is not read`);
        return undefined;
      }
      return { sessionId, transcriptPath: path, files: {} };
    }
    return undefined;
  }

  /** The main transcript, then each subagent's (sorted), as they are now. */
  private transcriptFiles(state: UsageCursorState, problems: string[]): { path: string; agentId?: string }[] {
    const files: { path: string; agentId?: string }[] = [{ path: state.transcriptPath }];
    const dir = join(dirname(state.transcriptPath), state.sessionId, 'subagents');
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Most sessions never start a subagent; a cleaned-up session has no folder left either.
      if (code !== 'ENOENT') this.tell(problems, `transcript folder ${dir}: ${code ?? (error as Error).message}`);
      return files;
    }
    for (const name of names.sort()) {
      const agentId = SUBAGENT_FILE.exec(name)?.[1];
      if (agentId !== undefined) files.push({ path: join(dir, name), agentId });
    }
    return files;
  }

  private readFile(path: string, cursor: FileCursor | undefined, budget: number, problems: string[]): TailRead | undefined {
    try {
      return readTail(path, cursor, budget);
    } catch (error) {
      // Gone: Claude Code cleaned it up, or it is not written yet. What was read is recorded.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.tell(problems, `transcript ${path}: ${(error as Error).message}; its usage waits until it can be read`);
      return undefined;
    }
  }

  private nameBadLines(path: string, bad: readonly { line: number; reason: string }[], tooLong: readonly number[], problems: string[]): void {
    const all = [...bad, ...tooLong.map((line) => ({ line, reason: 'longer than 64 MiB, skipped' }))];
    for (const { line, reason } of all.slice(0, NAMED_PER_FILE)) problems.push(`transcript ${path}:${line}: ${reason}; its usage is not counted`);
    if (all.length > NAMED_PER_FILE) problems.push(`transcript ${path}: ${all.length - NAMED_PER_FILE} more unreadable line(s) not counted`);
  }

  private tell(problems: string[], problem: string): void {
    if (this.told.has(problem)) return;
    this.told.add(problem);
    problems.push(problem);
  }
}

function sameCursor(a: FileCursor | undefined, b: FileCursor): boolean {
  return a !== undefined && a.offset === b.offset && a.line === b.line && a.dev === b.dev && a.ino === b.ino;
}
