import { existsSync, realpathSync } from 'node:fs';
import { logbookPaths } from '../capture/paths';
import type { LogbookPaths } from '../capture/paths';
import { emptyReport } from '../ingest/ingestor';
import type { IngestReport } from '../ingest/ingestor';
import { projectTranscriptsDir } from '../ingest/import/claude-projects';
import { importTranscripts } from '../ingest/import/importer';
import type { ImportStore, SessionOutcome } from '../ingest/import/importer';
import { badLineText, sessionLine, totalLine, totalsOf } from '../ingest/import/import-text';
import { describeHolderShort as describeHolder } from '../ingest/lock-text';
import { LogbookWriter } from '../ingest/writer';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import type { OptionValues } from './options';
import { flagRule, optional, workspaceRule } from './option-rules';
import { openStore } from './store-snapshot';
import { readCaptureSettings } from './workspace-settings';
import { workspaceRedactor } from './commands-write';

// `logbook import`: records the sessions that ran before the hooks were installed, from the
// workspace's Claude Code transcripts (src/ingest/import/). When no other process is ingesting,
// each session is ingested as soon as its entries are in the inbox (a pass stays one session's
// size); otherwise the entries wait in the inbox for the window that ingests.

const IMPORT_OPTIONS = {
  from: described(optional({ ...workspaceRule, label: '--from' }), "another transcripts folder (default: the workspace's under ~/.claude/projects/)", 'DIR'),
  json: described(flagRule, 'print what was imported as JSON'),
};
type ImportOptions = OptionValues<typeof IMPORT_OPTIONS>;

/** Unreadable lines named per session on stderr; the rest are counted. */
const NAMED_PER_SESSION = 20;

export const importCommand = defineCommand(IMPORT_OPTIONS, runImport);

async function runImport(ctx: CliContext, options: ImportOptions): Promise<number> {
  const dir = options.from ?? projectTranscriptsDir(realWorkspace(ctx.workspace));
  if (!existsSync(dir)) {
    if (options.json) ctx.io.out(JSON.stringify({ transcripts: dir, sessions: [], totals: totalsOf([]) }, null, 2));
    else ctx.io.out(`no Claude Code transcripts for this workspace at ${dir}: nothing to import`);
    return 0;
  }
  const paths = logbookPaths(ctx.workspace);
  const maxFieldBytes = readCaptureSettings(ctx.workspace).maxFieldBytes;
  const started = await LogbookWriter.start(paths, 'cli', { maxFieldBytes, redactor: workspaceRedactor(ctx) });
  if (!started.ok) {
    ctx.io.err(`${describeHolder(started.holder)} is ingesting this workspace: the imported sessions are left in the inbox and recorded there`);
    return report(ctx, options, dir, await importBeside(paths, dir), false);
  }
  const { writer, messages } = started;
  for (const message of messages) ctx.io.err(message);
  try {
    const ingested = emptyReport();
    const outcome = importTranscripts(dir, paths.inbox, writer.database.store, { afterSession: (session) => ingestSession(writer, session, ingested) });
    writer.flush();
    await writer.removeCommittedEntries();
    if (writer.catchUpFullText() > 0) writer.flush();
    for (const problem of [...ingested.usageProblems, ...ingested.problems, ...writer.takeProblems()]) ctx.io.err(problem);
    for (const problem of outcome.problems) ctx.io.err(problem);
    return report(ctx, options, dir, outcome.sessions, true);
  } finally {
    writer.close();
  }
}

// Claude Code names the folder after the real path of the directory it ran in.
function realWorkspace(workspace: string): string {
  try {
    return realpathSync(workspace);
  } catch {
    return workspace;
  }
}

function ingestSession(writer: LogbookWriter, session: SessionOutcome, report: IngestReport): void {
  if (session.written === 0) return;
  writer.ingest(report);
  // The usage of a long session is read over several passes.
  while (writer.usageBehind) writer.ingest(report);
}

/** Another process holds the writer: the store is read from a snapshot, the entries wait in the inbox. */
async function importBeside(paths: LogbookPaths, dir: string): Promise<SessionOutcome[]> {
  const database = await openStore(paths);
  try {
    const store: ImportStore | undefined = database?.store;
    return importTranscripts(dir, paths.inbox, store).sessions;
  } finally {
    database?.close();
  }
}

function report(ctx: CliContext, options: ImportOptions, dir: string, sessions: readonly SessionOutcome[], ingested: boolean): number {
  const totals = totalsOf(sessions);
  if (options.json) {
    ctx.io.out(JSON.stringify({ transcripts: dir, ingested, sessions, totals }, null, 2));
    return 0;
  }
  for (const session of sessions) {
    ctx.io.out(sessionLine(session));
    for (const bad of session.badLines.slice(0, NAMED_PER_SESSION)) ctx.io.err(badLineText(bad));
    if (session.badLines.length > NAMED_PER_SESSION) ctx.io.err(`${session.transcript}: ${session.badLines.length - NAMED_PER_SESSION} more unreadable line(s) in session ${session.sessionId}`);
  }
  ctx.io.out(`${totalLine(totals)}${ingested ? '' : '; waiting in the inbox'}`);
  return 0;
}
