import { logbookPaths } from '../capture/paths';
import type { LogbookPaths } from '../capture/paths';
import { QUARANTINE_STREAM } from '../ingest/normalize';
import { actOnSession, refusalOf, sessionStatus } from '../workflow/act';
import type { ActResult } from '../workflow/act';
import { UsageError } from './args';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import { filesRule, flagRule, nameRule, oneOfRule, optional, sessionRule, tagsRule, textRule } from './option-rules';
import { openStore } from './store-snapshot';

/**
 * --session, else the session that was active most recently. Either way the store must be
 * readable: a decision taken against a damaged store would start the workflow over.
 */
async function sessionOf(paths: LogbookPaths, given: string | undefined): Promise<string> {
  const database = await openStore(paths);
  try {
    if (given !== undefined) return given;
    const latest = database?.store.streams().filter((s) => s.streamId !== QUARANTINE_STREAM)
      .sort((a, b) => a.lastOccurredAt.localeCompare(b.lastOccurredAt)).at(-1);
    if (latest !== undefined) return latest.streamId;
  } finally {
    database?.close();
  }
  throw new UsageError('name the session with --session (no recorded session to default to)');
}

function report(ctx: CliContext, json: boolean, result: ActResult, done: string): number {
  const refusal = refusalOf(result);
  // The decision is an answer even when it is a refusal (recorded too): --json prints it either way.
  if (json) ctx.io.out(JSON.stringify({ ok: refusal === undefined, events: result.events, status: result.status }, null, 2));
  if (refusal !== undefined) {
    ctx.io.err(refusal);
    return 1;
  }
  if (!json) ctx.io.out(`${done} (state: ${result.status.state ?? '-'}, iteration ${result.status.iteration})`);
  return 0;
}

const session = described(optional(sessionRule), 'the session (default: the one active most recently)', 'S');
const actor = described(optional(nameRule()), 'who decides, recorded with the decision', 'A');
const json = described(flagRule, 'print the outcome and the status as JSON');

export const statusCommand = defineCommand({ session, json: described(flagRule, 'print the status as JSON') }, async (ctx, options) => {
  const paths = logbookPaths(ctx.workspace);
  const status = await sessionStatus(paths, await sessionOf(paths, options.session));
  if (options.json) {
    ctx.io.out(JSON.stringify(status, null, 2));
    return 0;
  }
  const moves = status.allowedTransitions.map((t) => (t.guardsMet ? t.to : `${t.to} (needs: ${t.missing.join(', ')})`));
  ctx.io.out([
    `state: ${status.state ?? '-'}${status.final ? ' (final)' : ''}, iteration ${status.iteration}`,
    ...(status.instructions === null ? [] : [`instructions: ${status.instructions}`]),
    `transitions: ${moves.length === 0 ? 'none' : moves.join('; ')}`,
    `journal entries still needed before stopping: ${status.journalNeeded}`,
    ...(status.reviewExpected ? ['a review outcome is expected here (logbook review --outcome approved|rejected)'] : []),
  ].join('\n'));
  return 0;
});

export const transitionCommand = defineCommand({
  session,
  to: described(nameRule(), 'the state to move to', 'STATE'),
  reason: described(textRule(), 'why, recorded with the transition', 'TEXT'),
  actor,
  json,
}, async (ctx, options) => {
  const { to, reason } = options;
  const paths = logbookPaths(ctx.workspace);
  const result = await actOnSession(paths, await sessionOf(paths, options.session), (at) => ({ type: 'Transition', to, reason, at, ...actorOf(options.actor) }), 'cli');
  return report(ctx, options.json, result, `moved to ${to}`);
});

export const journalCommand = defineCommand({
  session,
  text: described(textRule(), 'the entry', 'TEXT'),
  tags: described(optional(tagsRule), 'its tags, comma-separated', 'a,b'),
  files: described(optional(filesRule), 'the files it is about, a line number after each if you like', 'path[:line],...'),
  actor,
  json,
}, async (ctx, options) => {
  const { text, tags = [], files = [] } = options;
  const paths = logbookPaths(ctx.workspace);
  const result = await actOnSession(paths, await sessionOf(paths, options.session), (at) => ({ type: 'WriteJournal', text, tags, files, at, ...actorOf(options.actor) }), 'cli');
  return report(ctx, options.json, result, 'journal entry written');
});

export const reviewCommand = defineCommand({
  session,
  outcome: described(oneOfRule(['approved', 'rejected']), "the review's outcome", 'approved|rejected'),
  notes: described(optional(textRule()), 'what the review found', 'TEXT'),
  actor,
  json,
}, async (ctx, options) => {
  const { outcome, notes = '' } = options;
  const paths = logbookPaths(ctx.workspace);
  const result = await actOnSession(paths, await sessionOf(paths, options.session), (at) => ({ type: 'RecordReview', outcome, notes, at, ...actorOf(options.actor) }), 'cli');
  return report(ctx, options.json, result, `review ${outcome}`);
});

function actorOf(name: string | undefined): { actor?: string } {
  return name === undefined ? {} : { actor: name };
}
