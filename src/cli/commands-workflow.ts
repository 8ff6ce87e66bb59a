import { logbookPaths } from '../capture/paths';
import type { LogbookPaths } from '../capture/paths';
import type { JournalFileRef } from '../domain/workflow/types';
import { QUARANTINE_STREAM } from '../ingest/normalize';
import { LogbookDatabase } from '../store/logbook-database';
import { actOnSession, refusalOf, sessionStatus } from '../workflow/act';
import type { ActResult } from '../workflow/act';
import { boolFlag, stringFlag, UsageError } from './args';
import type { CliContext } from './main';

/** --session, else the session that was active most recently. */
async function sessionOf(ctx: CliContext, paths: LogbookPaths): Promise<string> {
  const given = stringFlag(ctx.args, 'session');
  if (given !== undefined) return given;
  const opened = await LogbookDatabase.open(paths.store);
  if (opened.ok) {
    try {
      const latest = opened.database.store.streams().filter((s) => s.streamId !== QUARANTINE_STREAM)
        .sort((a, b) => a.lastOccurredAt.localeCompare(b.lastOccurredAt)).at(-1);
      if (latest !== undefined) return latest.streamId;
    } finally {
      opened.database.close();
    }
  }
  throw new UsageError('name the session with --session (no recorded session to default to)');
}

function report(ctx: CliContext, result: ActResult, done: string): number {
  const refusal = refusalOf(result);
  if (boolFlag(ctx.args, 'json')) ctx.io.out(JSON.stringify({ ok: refusal === undefined, events: result.events, status: result.status }, null, 2));
  if (refusal !== undefined) {
    ctx.io.err(refusal);
    return 1;
  }
  if (!boolFlag(ctx.args, 'json')) ctx.io.out(`${done} (state: ${result.status.state ?? '-'}, iteration ${result.status.iteration})`);
  return 0;
}

export async function statusCommand(ctx: CliContext): Promise<number> {
  const paths = logbookPaths(ctx.workspace);
  const status = await sessionStatus(paths, await sessionOf(ctx, paths));
  if (boolFlag(ctx.args, 'json')) {
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
}

export async function transitionCommand(ctx: CliContext): Promise<number> {
  const to = stringFlag(ctx.args, 'to');
  const reason = stringFlag(ctx.args, 'reason');
  if (to === undefined || reason === undefined || reason.trim() === '') throw new UsageError('--to STATE and --reason TEXT are required');
  const paths = logbookPaths(ctx.workspace);
  const result = await actOnSession(paths, await sessionOf(ctx, paths), (at) => ({ type: 'Transition', to, reason, at, ...actor(ctx) }), 'cli');
  return report(ctx, result, `moved to ${to}`);
}

export async function journalCommand(ctx: CliContext): Promise<number> {
  const text = stringFlag(ctx.args, 'text');
  if (text === undefined || text.trim() === '') throw new UsageError('--text TEXT is required');
  const tags = (stringFlag(ctx.args, 'tags') ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
  const files = (stringFlag(ctx.args, 'files') ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '').map(parseFileRef);
  const paths = logbookPaths(ctx.workspace);
  const result = await actOnSession(paths, await sessionOf(ctx, paths), (at) => ({ type: 'WriteJournal', text, tags, files, at, ...actor(ctx) }), 'cli');
  return report(ctx, result, 'journal entry written');
}

export async function reviewCommand(ctx: CliContext): Promise<number> {
  const outcome = stringFlag(ctx.args, 'outcome');
  if (outcome !== 'approved' && outcome !== 'rejected') throw new UsageError('--outcome must be approved or rejected');
  const notes = stringFlag(ctx.args, 'notes') ?? '';
  const paths = logbookPaths(ctx.workspace);
  const result = await actOnSession(paths, await sessionOf(ctx, paths), (at) => ({ type: 'RecordReview', outcome, notes, at, ...actor(ctx) }), 'cli');
  return report(ctx, result, `review ${outcome}`);
}

function actor(ctx: CliContext): { actor?: string } {
  const name = stringFlag(ctx.args, 'actor');
  return name === undefined ? {} : { actor: name };
}

/** "src/a.ts:12" → {path, line}; a bad line number is a usage error. */
export function parseFileRef(text: string): JournalFileRef {
  const match = /^(.*):(\d+)$/.exec(text);
  if (match === null) return { path: text };
  const line = Number(match[2]);
  if (line < 1) throw new UsageError(`--files: line numbers start at 1 (${text})`);
  return { path: match[1] as string, line };
}
