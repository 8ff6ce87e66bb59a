import { logbookPaths } from '../capture/paths';
import type { LogbookPaths } from '../capture/paths';
import { HOLD_WAIT_DEFAULT_MS, HOLD_WAIT_MAX_MS } from '../capture/holds';
import { currentHold, holdSession, resumeSession } from '../control/hold';
import { LogbookError } from '../domain/errors';
import { QUARANTINE_STREAM } from '../ingest/normalize';
import { MIN_PREFIX, resolveSessionPrefix } from '../projections/compare/session-prefix';
import { UsageError } from './args';
import { defineCommand, described } from './options';
import { flagRule, optional, positional, sessionRule, textRule, wholeNumberRule } from './option-rules';
import { openStore } from './store-snapshot';

// `logbook hold S` and `logbook resume S` (issue 15): the brake for an agent nobody watches.

/** A session id as Claude Code makes them: a session that has not reached the store yet can be held by its whole id. */
const WHOLE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const session = described(positional(0, '<session>', sessionRule, 'name the session (its id, or the start of it: see "logbook sessions")'), 'the session: its id, or at least its first 4 characters');
const json = described(flagRule, 'print the outcome as JSON');

export const holdCommand = defineCommand({
  session,
  message: described(optional(textRule(2000)), 'what the agent reads when its call is denied (default: "held from the command line")', 'TEXT'),
  wait: described(optional(wholeNumberRule(0, HOLD_WAIT_MAX_MS / 1000, ' (seconds; Claude Code gives PreToolUse 600)')), `how long the held call waits for a resume before it is denied (default ${HOLD_WAIT_DEFAULT_MS / 1000})`, 'SECONDS'),
  json,
}, async (ctx, options) => {
  const paths = logbookPaths(ctx.workspace);
  const sessionId = await sessionNamed(paths, options.session);
  const held = holdSession(paths, sessionId, { message: options.message ?? 'held from the command line', ...(options.wait === undefined ? {} : { waitMs: options.wait * 1000 }), by: 'cli' });
  if (options.json) ctx.io.out(JSON.stringify({ sessionId, held: true, ...held }, null, 2));
  else ctx.io.out(`held ${sessionId}: its next tool call waits up to ${held.waitMs / 1000} s for "logbook resume ${sessionId.slice(0, 8)}", then is denied with "held by the user: ${held.message}"`);
  return 0;
});

export const resumeCommand = defineCommand({ session, json }, async (ctx, options) => {
  const paths = logbookPaths(ctx.workspace);
  const sessionId = await sessionNamed(paths, options.session);
  const hold = currentHold(paths, sessionId);
  const resumed = resumeSession(paths, sessionId, 'cli');
  if (options.json) ctx.io.out(JSON.stringify({ sessionId, resumed, ...(hold === undefined ? {} : { heldSince: hold.at }) }, null, 2));
  else ctx.io.out(resumed ? `resumed ${sessionId}: its tool calls go on` : `${sessionId} is not held: nothing to resume`);
  return 0;
});

/** The session a name means among the store's sessions; a whole id not stored yet (a session just started) is taken as it is. */
async function sessionNamed(paths: LogbookPaths, given: string): Promise<string> {
  const database = await openStore(paths);
  const ids = database === undefined ? [] : database.store.streams().map((s) => s.streamId).filter((id) => id !== QUARANTINE_STREAM);
  database?.close();
  const match = resolveSessionPrefix(ids, given);
  if (match.ok) return match.sessionId;
  if (WHOLE_ID.test(given)) return given;
  const quoted = JSON.stringify(given);
  switch (match.problem) {
    case 'short': throw new UsageError(`<session> ${quoted} is not a whole session id, and a start of one needs at least ${MIN_PREFIX} characters`);
    case 'ambiguous': throw new UsageError(`<session> ${quoted} is the start of ${match.candidates.length} sessions (${match.candidates.slice(0, 5).join(', ')}${match.candidates.length > 5 ? ', …' : ''}); give more of the id`);
    case 'unknown': throw new LogbookError('SESSION_UNKNOWN', `no session in the store is or starts with ${quoted}, and it is not a whole session id (see "logbook sessions")`);
    default: return match.problem satisfies never;
  }
}
