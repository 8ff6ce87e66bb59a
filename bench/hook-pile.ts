import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runHook } from '../src/capture/hook';
import { entryFileName, EVENTS_ENTRY_SUFFIX, stampNow } from '../src/capture/inbox-writer';
import { installHooks } from '../src/capture/installer';
import { logbookPaths } from '../src/capture/paths';
import { loadWorkflow } from '../src/workflow/definition-file';

// Workspaces of a headless loop under the team-loop workflow with no writer: PENDING_DECISIONS
// denials of one session wait in the inbox. Three kinds: hooks installed without the CLI (no
// drain: the hook's fold alone), with the real CLI (the first hook drains the pile in the
// background), and with a no-op script as the CLI (every run is a call that starts a drain, the
// pile stays, and no drain's load spills into the other variants' rounds).

export const PENDING_DECISIONS = 10_000;

export type PileCli = 'none' | 'real' | 'noop';

/** A workspace with the pile and the hook's fold of it already built (as a loop's earlier hooks left it). */
export function pileWorkspace(root: string, dir: string, deniedPayload: string, cli: PileCli): string {
  mkdirSync(dir);
  const noop = join(dir, 'noop-cli.cjs');
  if (cli === 'noop') writeFileSync(noop, '');
  const cliPath = cli === 'real' ? join(root, 'dist', 'logbook.js') : cli === 'noop' ? noop : undefined;
  installHooks({ workspace: dir, scope: 'local', hookBundle: join(root, 'dist', 'hook.js'), ...(cliPath === undefined ? {} : { cliPath }) });
  const paths = logbookPaths(dir);
  copyFileSync(join(root, 'templates', 'workflow.team-loop.json'), paths.workflow);
  if (loadWorkflow(paths).status !== 'ok') throw new Error('the team-loop template does not validate');
  pileDecisions(paths.inbox, deniedPayload, PENDING_DECISIONS);
  // The fold, built by one hook with no CLI in sight (a loop's hooks built it as the pile grew).
  const cliFile = join(paths.bin, 'cli');
  const aside = `${cliFile}.aside`;
  if (existsSync(cliFile)) renameSync(cliFile, aside);
  if (runHook({ inboxDir: paths.inbox, hookEvent: 'PreToolUse', readStdin: () => deniedPayload }).output === undefined) throw new Error(`${dir} did not deny the tool`);
  if (existsSync(aside)) renameSync(aside, cliFile);
  return dir;
}

/**
 * Leaves `count` decisions of the payload's session in the inbox, as a loop with no writer would:
 * the hook denies once for real, and its stamped decision entry is copied under new ids and
 * names, older than now, in receive order.
 */
function pileDecisions(inbox: string, deniedPayload: string, count: number): void {
  const outcome = runHook({ inboxDir: inbox, hookEvent: 'PreToolUse', readStdin: () => deniedPayload });
  if (outcome.output === undefined) throw new Error('the pile workspace did not deny the tool');
  const decisions = readdirSync(inbox).filter((name) => name.endsWith(EVENTS_ENTRY_SUFFIX));
  if (decisions.length !== 1) throw new Error(`expected one decision entry in ${inbox}, found ${decisions.length}`);
  const text = readFileSync(join(inbox, decisions[0] as string), 'utf8');
  // One a second, as a loop makes them over hours (not a burst inside the fold's margin).
  const start = stampNow().receivedUs - count * 1_000_000;
  for (let i = 0; i < count; i += 1) {
    const stamp = { ...stampNow(), receivedUs: start + i * 1_000_000 };
    const copy = text.replace(/"id":"[^"]+"/, `"id":"${stamp.id}"`).replace(/"receivedUs":\d+/, `"receivedUs":${stamp.receivedUs}`);
    writeFileSync(join(inbox, entryFileName(stamp, EVENTS_ENTRY_SUFFIX)), copy, { mode: 0o600 });
  }
}

/** Inbox names (not the staging folder) and drain claims of a workspace. */
export function pileState(dir: string): { names: number; decisions: number; claims: string[] } {
  const inbox = logbookPaths(dir).inbox;
  const names = readdirSync(inbox).filter((n) => !n.startsWith('.'));
  const claimDir = join(dir, '.logbook', 'state', 'drain');
  return { names: names.length, decisions: names.filter((n) => n.endsWith(EVENTS_ENTRY_SUFFIX)).length, claims: existsSync(claimDir) ? readdirSync(claimDir).sort() : [] };
}

/** The drain's own output (`drain pid N`, then what `logbook ingest` said). */
export function drainLogs(dir: string): string[] {
  const claimDir = join(dir, '.logbook', 'state', 'drain');
  return pileState(dir).claims.map((c) => readFileSync(join(claimDir, c), 'utf8').trim().replace(/\n/g, ' | '));
}

/** Untimed, before each run of the drain-start variant: the last claim goes, so the next call claims again. */
export function dropClaims(dir: string): void {
  rmSync(join(dir, '.logbook', 'state', 'drain'), { recursive: true, force: true });
}
