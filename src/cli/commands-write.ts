import { logbookPaths } from '../capture/paths';
import { inspectLogbookDir } from '../capture/planted';
import { tryAcquireLock } from '../ingest/lock';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { rebuildStore, rebuildWith } from '../ingest/open-store';
import type { RebuildOutcome } from '../ingest/open-store';
import { rebuildSummary, somethingUnread } from '../ingest/rebuild-report';
import { LogbookWriter } from '../ingest/writer';
import { refreshWorkflow } from '../workflow/definition-file';
import { announceWorkflowChange } from '../workflow/announce';
import type { IngestReport } from '../ingest/ingestor';
import type { LogbookPaths } from '../capture/paths';
import { describeHolderShort as describeHolder } from '../ingest/lock-text';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import { maxFieldBytesRule, optional } from './option-rules';
import { readCaptureSettings, readRedactionSettings } from './workspace-settings';
import { ingestRedactor } from '../ingest/redact-entry';
import type { Redactor } from '../domain/redaction/types';

export const ingestCommand = defineCommand({ 'max-field-bytes': described(optional(maxFieldBytesRule), 'cut each text field to N bytes (default: logbook.capture.maxFieldBytes)', 'N') }, async (ctx, options) => {
  const paths = logbookPaths(ctx.workspace);
  const maxFieldBytes = options['max-field-bytes'] ?? readCaptureSettings(ctx.workspace).maxFieldBytes;
  // Said before anything else: the writer refuses each of these as it meets them.
  for (const finding of inspectLogbookDir(ctx.workspace)) ctx.io.err(`warning: ${finding.message}; a cloned repository may have planted it, and Agent Logbook does not read or write through it`);
  const started = await LogbookWriter.start(paths, 'cli', { maxFieldBytes, redactor: workspaceRedactor(ctx), indexFullText: true });
  if (!started.ok) {
    ctx.io.out(`${describeHolder(started.holder)} is ingesting this workspace; its entries will be recorded there. Nothing to do.`);
    return 0;
  }
  const { writer, messages } = started;
  for (const message of [...messages, ...refreshWorkflow(paths)]) ctx.io.err(message);
  try {
    const report = writer.ingest();
    // A pass reads a bounded share of long transcripts: the rest, until all is read.
    while (writer.usageBehind) writer.ingest(report);
    await announceChange(ctx, paths, writer, report);
    writer.flush();
    await writer.removeCommittedEntries();
    // Each pass indexed its events in its own commit; what an earlier writer left unindexed, and
    // the session catalog, are caught up here (a second durable write only when there is any).
    if (writer.catchUpFullText() > 0) writer.flush();
    const problems = [...report.problems, ...writer.takeProblems()];
    const parts = [`ingested ${report.appended} event(s) from ${report.sessions.size} session(s)`];
    if (report.duplicates > 0) parts.push(`${report.duplicates} already stored`);
    if (report.quarantined > 0) parts.push(`${report.quarantined} invalid input(s) kept in the $quarantine stream`);
    if (report.usageEvents > 0) parts.push(`${report.usageEvents} usage record(s) read from transcripts`);
    ctx.io.out(parts.join('; '));
    // A transcript is Claude Code's file: a line it could not read is said, and the ingest went on.
    for (const problem of report.usageProblems) ctx.io.err(`usage: ${problem}`);
    for (const unreadable of report.unreadableFiles) ctx.io.err(`${unreadable}; kept in the $quarantine stream and moved to .logbook/segments/archive/`);
    for (const problem of problems) ctx.io.err(`raw segments: ${problem}`);
    if (writer.catalogProblem !== undefined) ctx.io.err(writer.catalogProblem);
    // Bad input is quarantined and ingest went on; a damaged segment file is worth a look before a rebuild needs it.
    return problems.length > 0 ? 1 : 0;
  } finally {
    writer.close();
  }
});

// A workflow file edited while VS Code was closed is recorded at the next ingest, in the same
// pass: the decided events go through the inbox like any other writer's, then straight in.
async function announceChange(ctx: CliContext, paths: LogbookPaths, writer: LogbookWriter, report: IngestReport): Promise<void> {
  try {
    const announced = await announceWorkflowChange(paths, { database: writer.database, source: 'cli' });
    if (announced.sessions.length === 0) return;
    writer.ingest(report);
    ctx.io.out(`recorded the workflow change (${announced.hash?.slice(0, 12) ?? '?'}) in ${announced.sessions.length} session(s) in progress`);
  } catch (error) {
    ctx.io.err(`the workflow change could not be recorded: ${(error as Error).message}`);
  }
}

/** The redactor of the workspace's `logbook.redaction.*` settings; a rule it left out is said on stderr. */
export function workspaceRedactor(ctx: CliContext): Redactor {
  const { redactor, problems } = ingestRedactor(readRedactionSettings(ctx.workspace));
  for (const problem of problems) ctx.io.err(`logbook.redaction: ${problem}`);
  return redactor;
}

export const rebuildCommand = defineCommand({}, async (ctx) => {
  const paths = logbookPaths(ctx.workspace);
  const attempt = tryAcquireLock(paths.lock, 'cli');
  if (!attempt.acquired) {
    ctx.io.err(`${describeHolder(attempt.holder)} holds the store; close it (or run "Logbook: Rebuild Store" there) and try again.`);
    return 1;
  }
  try {
    let outcome: RebuildOutcome;
    try {
      outcome = await rebuildStore(paths, rebuildWith(workspaceRedactor(ctx)));
    } catch (error) {
      ctx.io.err(`the rebuild failed: ${(error as Error).message}`);
      ctx.io.err(`the store was left as it was${existsSync(paths.store) ? ` (${relative(ctx.workspace, paths.store)})` : ''}`);
      return 1;
    }
    outcome.database.close();
    for (const message of outcome.messages) ctx.io.err(message);
    ctx.io.out(rebuildSummary(outcome));
    // 0 only when the rebuilt store is in place and everything in the segments was read.
    return outcome.kept === 'rebuilt' && !somethingUnread(outcome) ? 0 : 1;
  } finally {
    attempt.lock.release();
  }
});

