import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runHook } from '../src/capture/hook';
import { entryFileName, entryText, EVENTS_ENTRY_SUFFIX, stampNow } from '../src/capture/inbox-writer';
import { DRAIN_AT } from '../src/capture/hook-drain';
import { appendToInboxLog, LOG_SUFFIX } from '../src/capture/inbox-log';
import { pendingEntries } from '../src/ingest/pending-entries';
import { installHooks } from '../src/capture/installer';
import { logbookPaths } from '../src/capture/paths';
import { loadWorkflow } from '../src/workflow/definition-file';
import { drainLogs, dropClaims, PENDING_DECISIONS, pileState, pileWorkspace } from './hook-pile';
import { fmtMs, fmtRatio, fmtUs, median, msSince, percentile, progress, textTable } from './stats';
import { bigPostToolUse, fixturePayload } from './workload';
import type { FixtureEvent } from './workload';

// Hook wall time as Claude Code sees it: from spawning `sh -c '<command>'` to the child's exit
// (stdio closed), measured against a bare `node -e 0` spawned the same way in the same rounds.

export interface HookBenchInput {
  readonly root: string;
  readonly tempDir: string;
  readonly fixture: readonly FixtureEvent[];
  readonly runs: number;
  readonly warmup: number;
}

export interface Spread {
  readonly p50: number;
  readonly p95: number;
}

export interface HookBenchResult {
  readonly runs: number;
  readonly baseline: Spread;
  readonly shNode: Spread;
  readonly noopScript: Spread;
  readonly cryptoScript: Spread;
  readonly hookDirect: Spread;
  readonly pre: Spread;
  readonly post200k: Spread;
  /** PreToolUse under the team-loop workflow: the hook folds the snapshot and decides. */
  readonly preWorkflowAllowed: Spread;
  readonly preWorkflowDenied: Spread;
  /** `sh -c 'cat >/dev/null'`: the floor of any hook that reads its payload. */
  readonly shCat: Spread;
  /** SessionStart under a stand-in claude: the tree with cat, and the hook recording the origin. */
  readonly startFloor: Spread;
  readonly startChild: Spread;
  /** Denied with 10,000 decisions pending in the inbox (a headless loop, no writer), no CLI recorded to drain it: with the hook's fold, and without it. */
  readonly preDenied10k: Spread;
  readonly preDenied10kNoFold: Spread;
  /** The same pile with the CLI recorded: the first hook drains it in the background; every round measured, warm-up included. */
  readonly preDenied10kDrained: Spread;
  /** The call that starts a drain (10,000 pending, a no-op script as the CLI). */
  readonly drainStart: Spread;
  readonly pendingDecisions: number;
  readonly post200kBytes: number;
  /** p50 of one append (write + fsync) to the inbox log, in process. */
  readonly inboxWriteMs: number;
}

interface Variant {
  readonly key: 'baseline' | 'shCat' | 'shNode' | 'noopScript' | 'cryptoScript' | 'hookDirect' | 'pre' | 'post200k' | 'preWorkflowAllowed' | 'preWorkflowDenied' | 'preDenied10k' | 'preDenied10kNoFold' | 'preDenied10kDrained' | 'drainStart' | 'startFloor' | 'startChild';
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly stdin: Buffer;
  readonly samples: number[];
  /** Another workspace (the workflow one); default: the plain one. */
  readonly projectDir?: string;
  /** Untimed, before each run. */
  readonly before?: () => void;
  /** Warm-up rounds count too: what happens once (a drain) is part of what the row measures. */
  readonly everyRound?: boolean;
  readonly extraEnv?: Readonly<Record<string, string>>;
}

// Exactly the command the installer writes into the settings file (installer.hookCommand).
const LAUNCHER = '"$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook';
const POST_PAYLOAD_BYTES = 200 * 1024;

export async function benchHook(input: HookBenchInput): Promise<HookBenchResult> {
  const workspace = join(input.tempDir, 'hook-ws');
  mkdirSync(workspace);
  installHooks({ workspace, scope: 'local', hookBundle: join(input.root, 'dist', 'hook.js') });
  const paths = logbookPaths(workspace);
  const small = Buffer.from(fixturePayload(input.fixture, 'PreToolUse', 'Bash').json);
  const big = Buffer.from(bigPostToolUse(input.fixture, POST_PAYLOAD_BYTES));
  const env = { ...process.env, CLAUDE_PROJECT_DIR: workspace };
  // An empty script beside hook.cjs: what node pays to load any script file, before the hook's own code.
  writeFileSync(join(paths.bin, 'bench-noop.cjs'), '');
  // The hook's heaviest built-in: stampNow's random id bits load node:crypto.
  writeFileSync(join(paths.bin, 'bench-crypto.cjs'), "require('node:crypto').randomBytes(16);\n");

  // A second workspace under the team-loop workflow, compiled for the hook as `logbook status` does.
  const wfWorkspace = join(input.tempDir, 'hook-wf-ws');
  mkdirSync(wfWorkspace);
  installHooks({ workspace: wfWorkspace, scope: 'local', hookBundle: join(input.root, 'dist', 'hook.js') });
  copyFileSync(join(input.root, 'templates', 'workflow.team-loop.json'), logbookPaths(wfWorkspace).workflow);
  if (loadWorkflow(logbookPaths(wfWorkspace)).status !== 'ok') throw new Error('the team-loop template does not validate');
  const sessionOf = (json: string): Record<string, unknown> => JSON.parse(json) as Record<string, unknown>;
  const allowedPre = Buffer.from(JSON.stringify({ ...sessionOf(small.toString('utf8')), tool_name: 'Read', tool_input: { file_path: 'README.md' } }));
  const deniedPre = Buffer.from(JSON.stringify({ ...sessionOf(small.toString('utf8')), tool_name: 'Write', tool_input: { file_path: 'a.ts', content: 'x' } }));

  // Under the same workflow, PENDING_DECISIONS denials of the same session left in the inbox (a
  // headless loop, no writer; hook-pile.ts): without a CLI to drain them (the no-fold variant
  // removes the hook's fold before each run), with the real CLI (drained once, in the
  // background, by the first hook), and with a no-op CLI (each run is a call that starts a drain).
  const pileWs = pileWorkspace(input.root, join(input.tempDir, 'hook-pile-ws'), deniedPre.toString('utf8'), 'none');
  const drainWs = pileWorkspace(input.root, join(input.tempDir, 'hook-drain-ws'), deniedPre.toString('utf8'), 'real');
  const drainStartWs = pileWorkspace(input.root, join(input.tempDir, 'hook-drain-start-ws'), deniedPre.toString('utf8'), 'noop');
  const drainBefore = pileState(drainWs).names;
  const foldDir = join(pileWs, '.logbook', 'state', 'hook');
  const dropFold = (): void => rmSync(foldDir, { recursive: true, force: true });
  const pending = PENDING_DECISIONS.toLocaleString('en-US');

  // SessionStart records the session's origin (launcher-origin.ts): a walk up /proc from the hook
  // to the session's claude, its starting environment, and the parent's tool shell. Measured under
  // a stand-in `claude` (sh under that name: the launcher finds its session's process by name)
  // whose environment names a parent session, as a `claude -p` started by another's Bash tool;
  // the floor is the same tree with `cat` as the hook. Its own workspace: two entries per run.
  const startWs = join(input.tempDir, 'hook-start-ws');
  mkdirSync(startWs);
  installHooks({ workspace: startWs, scope: 'local', hookBundle: join(input.root, 'dist', 'hook.js') });
  const fakeClaude = join(input.tempDir, 'claude');
  symlinkSync('/bin/sh', fakeClaude);
  const startPayload = Buffer.from(JSON.stringify({ session_id: 'bench-child', transcript_path: '/dev/null', cwd: startWs, hook_event_name: 'SessionStart', source: 'startup' }));
  // Not the last command of -c: sh would exec it and the stand-in would stop being "claude".
  const underClaude = (hook: string): string[] => ['-c', `CLAUDE_CODE_SESSION_ID=bench-child sh -c '${hook}'; status=$?; exit $status`];

  const variants: Variant[] = [
    { key: 'baseline', label: 'node -e 0 (baseline)', file: 'node', args: ['-e', '0'], stdin: small, samples: [] },
    // The floor of a hook that reads its payload without Node.
    { key: 'shCat', label: "sh -c 'cat >/dev/null' (floor)", file: 'sh', args: ['-c', 'cat >/dev/null'], stdin: small, samples: [] },
    // Claude Code always goes through `sh -c`: this row shows what that layer alone costs.
    { key: 'shNode', label: "sh -c 'node -e 0'", file: 'sh', args: ['-c', 'node -e 0'], stdin: small, samples: [] },
    { key: 'noopScript', label: "sh -c 'node …/bench-noop.cjs' (empty script)", file: 'sh', args: ['-c', 'node "$CLAUDE_PROJECT_DIR"/.logbook/bin/bench-noop.cjs PreToolUse'], stdin: small, samples: [] },
    { key: 'cryptoScript', label: "sh -c 'node …/bench-crypto.cjs' (only crypto.randomBytes)", file: 'sh', args: ['-c', 'node "$CLAUDE_PROJECT_DIR"/.logbook/bin/bench-crypto.cjs PreToolUse'], stdin: small, samples: [] },
    // The hook program without the launcher script: separates launcher cost from program cost.
    { key: 'hookDirect', label: "sh -c 'node …/hook.cjs PreToolUse'", file: 'sh', args: ['-c', 'node "$CLAUDE_PROJECT_DIR"/.logbook/bin/hook.cjs PreToolUse'], stdin: small, samples: [] },
    { key: 'pre', label: 'hook PreToolUse (as Claude Code runs it)', file: 'sh', args: ['-c', `${LAUNCHER} PreToolUse`], stdin: small, samples: [] },
    { key: 'post200k', label: `hook PostToolUse, ${Math.round(big.length / 1024)} KB payload`, file: 'sh', args: ['-c', `${LAUNCHER} PostToolUse`], stdin: big, samples: [] },
    { key: 'preWorkflowAllowed', label: 'hook PreToolUse, team-loop workflow, allowed', file: 'sh', args: ['-c', `${LAUNCHER} PreToolUse`], stdin: allowedPre, samples: [], projectDir: wfWorkspace },
    { key: 'preWorkflowDenied', label: 'hook PreToolUse, team-loop workflow, denied', file: 'sh', args: ['-c', `${LAUNCHER} PreToolUse`], stdin: deniedPre, samples: [], projectDir: wfWorkspace },
    { key: 'preDenied10k', label: `hook PreToolUse, denied, ${pending} decisions pending, no CLI to drain them (the fold alone)`, file: 'sh', args: ['-c', `${LAUNCHER} PreToolUse`], stdin: deniedPre, samples: [], projectDir: pileWs },
    { key: 'preDenied10kNoFold', label: `hook PreToolUse, denied, ${pending} pending, no CLI, hook's fold removed`, file: 'sh', args: ['-c', `${LAUNCHER} PreToolUse`], stdin: deniedPre, samples: [], projectDir: pileWs, before: dropFold },
    { key: 'preDenied10kDrained', label: `hook PreToolUse, denied, ${pending} pending at first, drained in the background (every round)`, file: 'sh', args: ['-c', `${LAUNCHER} PreToolUse`], stdin: deniedPre, samples: [], projectDir: drainWs, everyRound: true },
    { key: 'startFloor', label: "SessionStart tree floor: claude → sh -c 'cat >/dev/null'", file: fakeClaude, args: underClaude('cat >/dev/null'), stdin: startPayload, samples: [], projectDir: startWs, extraEnv: { CLAUDE_CODE_SESSION_ID: 'bench-parent', LOGBOOK_RUN: 'bench-run' } },
    { key: 'startChild', label: 'hook SessionStart of a child session (origin recorded)', file: fakeClaude, args: underClaude(`${LAUNCHER} SessionStart`), stdin: startPayload, samples: [], projectDir: startWs, extraEnv: { CLAUDE_CODE_SESSION_ID: 'bench-parent', LOGBOOK_RUN: 'bench-run' } },
    { key: 'drainStart', label: `hook PreToolUse, denied, ${pending} pending: the call that starts a drain (no-op CLI)`, file: 'sh', args: ['-c', `${LAUNCHER} PreToolUse`], stdin: deniedPre, samples: [], projectDir: drainStartWs, before: () => dropClaims(drainStartWs) },
  ];

  const rounds = input.warmup + input.runs;
  const started = process.hrtime.bigint();
  let drainEnded: { round: number; ms: number } | undefined;
  for (let round = 0; round < rounds; round += 1) {
    // Interleaved, and the starting variant rotates: drift and "first after a pause" effects hit every variant alike.
    for (let k = 0; k < variants.length; k += 1) {
      const variant = variants[(round + k) % variants.length] as Variant;
      variant.before?.();
      const ms = await spawnTimed(variant, { ...env, ...(variant.projectDir === undefined ? {} : { CLAUDE_PROJECT_DIR: variant.projectDir }), ...variant.extraEnv });
      if (round >= input.warmup || variant.everyRound === true) variant.samples.push(ms);
    }
    drainEnded ??= drainOver(drainWs) ? { round, ms: msSince(started) } : undefined;
    clearDecisions(logbookPaths(wfWorkspace).inbox);
    if ((round + 1) % 50 === 0 || round + 1 === rounds) progress(`hook: round ${round + 1}/${rounds} (${(msSince(started) / 1000).toFixed(0)} s)`);
  }

  // Every hook run must have left exactly one entry: a hook that silently failed would look fast.
  const hookRuns = rounds * 3;
  const entries = pendingEntries(paths.inbox).length;
  if (entries !== hookRuns) throw new Error(`expected ${hookRuns} inbox entries from the hook runs, found ${entries}`);
  // Each SessionStart: its own entry and its origin, which names the parent from the environment.
  const starts = readdirSync(logbookPaths(startWs).inbox).filter((f) => f.endsWith('.rawhook'));
  const origins = starts.filter((f) => f.endsWith('-LogbookOrigin.rawhook'));
  if (starts.length !== rounds * 2 || origins.length !== rounds) throw new Error(`expected ${rounds} SessionStart and ${rounds} LogbookOrigin entries, found ${starts.length - origins.length} and ${origins.length}`);
  const origin = readFileSync(join(logbookPaths(startWs).inbox, origins[0] as string), 'utf8');
  if (!origin.includes('"parent_session_id":"bench-parent"') || !origin.includes('"run":"bench-run"')) throw new Error(`the origin does not name the parent and the run: ${origin}`);

  const spread = (key: Variant['key']): Spread => {
    const v = variants.find((x) => x.key === key) as Variant;
    return { p50: percentile(v.samples, 50), p95: percentile(v.samples, 95) };
  };
  const result: HookBenchResult = {
    runs: input.runs,
    baseline: spread('baseline'),
    shNode: spread('shNode'),
    noopScript: spread('noopScript'),
    cryptoScript: spread('cryptoScript'),
    hookDirect: spread('hookDirect'),
    pre: spread('pre'),
    post200k: spread('post200k'),
    preWorkflowAllowed: spread('preWorkflowAllowed'),
    preWorkflowDenied: spread('preWorkflowDenied'),
    shCat: spread('shCat'),
    preDenied10k: spread('preDenied10k'),
    preDenied10kNoFold: spread('preDenied10kNoFold'),
    preDenied10kDrained: spread('preDenied10kDrained'),
    drainStart: spread('drainStart'),
    startFloor: spread('startFloor'),
    startChild: spread('startChild'),
    pendingDecisions: pileState(pileWs).decisions,
    post200kBytes: big.length,
    inboxWriteMs: 0,
  };

  const inProcess = measureInProcess(join(input.tempDir, 'hook-inproc'), small.toString('utf8'), big.toString('utf8'), Math.min(input.runs, 200));
  printHook(result, variants, inProcess, statSync(paths.hookScript).size);
  printDrain(drainWs, drainBefore, drainEnded, pileState(drainStartWs).names);
  return { ...result, inboxWriteMs: inProcess.writeEntry };
}

/**
 * A denied tool leaves its decision in the inbox as a `.cmd.json` entry, and every later hook of
 * the session reads each such entry until a writer ingests it (15–20 µs apiece, measured in
 * process). With VS Code open the writer takes it within its debounce; here none runs, and 210
 * rounds would pile up 210 of them, so later rounds would time the pile, not the hook. Each round
 * removes them, as the writer would, after checking there is exactly one: the denial happened.
 */
function clearDecisions(inbox: string): void {
  const decisions = readdirSync(inbox).filter((name) => name.endsWith(EVENTS_ENTRY_SUFFIX));
  if (decisions.length !== 1) throw new Error(`expected the denied hook's one decision entry in ${inbox}, found ${decisions.length}`);
  for (const name of decisions) unlinkSync(join(inbox, name));
}

function spawnTimed(variant: Variant, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(variant.file, variant.args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    // `node -e 0` exits without reading stdin: EPIPE there is expected, not a failure.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = msSince(start);
      if (code !== 0 || stderr !== '') reject(new Error(`${variant.label}: exit ${String(code)}${stderr === '' ? '' : `, stderr: ${stderr.trim()}`}`));
      else resolve(ms);
    });
    child.stdin.end(variant.stdin);
  });
}

interface InProcess {
  readonly stamp: number;
  readonly entryTextSmall: number;
  readonly writeEntry: number;
  readonly runHookSmall: number;
  readonly runHookBig: number;
}

/**
 * The hook's own work without process start-up: p50 of each piece, on the same disk. The
 * pieces take turns within each iteration, so fsync latency drift hits them alike.
 */
function measureInProcess(dir: string, small: string, big: string, iterations: number): InProcess {
  const inbox = join(dir, 'inbox');
  const append = (text: string): void => void appendToInboxLog(inbox, text, () => entryFileName(stampNow(), LOG_SUFFIX));
  append('warm-up\n'); // creates the folders outside the timings
  const text = entryText(stampNow(), 'hook', 'PreToolUse', small);
  const pieces: Record<keyof InProcess, () => void> = {
    stamp: () => void stampNow(),
    entryTextSmall: () => void entryText(stampNow(), 'hook', 'PreToolUse', small),
    writeEntry: () => append(text),
    runHookSmall: () => void runHook({ inboxDir: inbox, hookEvent: 'PreToolUse', readStdin: () => small }),
    runHookBig: () => void runHook({ inboxDir: inbox, hookEvent: 'PostToolUse', readStdin: () => big }),
  };
  const keys = Object.keys(pieces) as (keyof InProcess)[];
  const samples = new Map<keyof InProcess, number[]>(keys.map((k) => [k, []]));
  for (let i = 0; i < iterations; i += 1) {
    for (const key of keys) {
      const start = process.hrtime.bigint();
      pieces[key]();
      samples.get(key)?.push(msSince(start));
    }
  }
  const p50 = (key: keyof InProcess): number => median(samples.get(key) ?? []);
  return { stamp: p50('stamp'), entryTextSmall: p50('entryTextSmall'), writeEntry: p50('writeEntry'), runHookSmall: p50('runHookSmall'), runHookBig: p50('runHookBig') };
}

function printHook(r: HookBenchResult, variants: readonly Variant[], inProcess: InProcess, hookScriptBytes: number): void {
  console.log(`\n## 1. Hook wall time (${r.runs} interleaved runs per variant, spawn → exit)\n`);
  const rows = variants.map((v) => {
    const p50 = percentile(v.samples, 50);
    const p95 = percentile(v.samples, 95);
    return [v.label, fmtMs(p50), fmtMs(p95), fmtRatio(p50 / r.baseline.p50), fmtRatio(p95 / r.baseline.p95), fmtMs(Math.min(...v.samples)), fmtMs(Math.max(...v.samples))];
  });
  console.log(textTable(['variant', 'p50', 'p95', 'p50 ratio', 'p95 ratio', 'min', 'max'], rows, new Set([1, 2, 3, 4, 5, 6])));
  // The hook program runs for events that may decide: the allowed PreToolUse under a workflow.
  const extra = r.preWorkflowAllowed.p50 - r.baseline.p50;
  console.log(`\nWhere the hook program's extra ${fmtMs(extra)} (p50 of an allowed PreToolUse under a workflow, over bare node) goes (differences of p50s: a negative or tiny part is within noise):`);
  console.log(textTable(['part', 'p50', 'share of extra'], [
    ["`sh -c` layer (sh-node − node)", fmtMs(r.shNode.p50 - r.baseline.p50), share(r.shNode.p50 - r.baseline.p50, extra)],
    ['node loading a script file at all (empty script − sh-node)', fmtMs(r.noopScript.p50 - r.shNode.p50), share(r.noopScript.p50 - r.shNode.p50, extra)],
    ['loading node:crypto for the id (crypto script − empty script)', fmtMs(r.cryptoScript.p50 - r.noopScript.p50), share(r.cryptoScript.p50 - r.noopScript.p50, extra)],
    [`rest of hook.cjs: fs/path, stdin, parse, write+fsync (hook-direct − crypto script; bundle ${(hookScriptBytes / 1024).toFixed(1)} KB)`, fmtMs(r.hookDirect.p50 - r.cryptoScript.p50), share(r.hookDirect.p50 - r.cryptoScript.p50, extra)],
    ['launcher script, workflow check and decision (hook under a workflow − hook-direct)', fmtMs(r.preWorkflowAllowed.p50 - r.hookDirect.p50), share(r.preWorkflowAllowed.p50 - r.hookDirect.p50, extra)],
  ], new Set([1, 2])));
  console.log('\nThe hook program\'s own work, in process (p50, no process start-up):');
  console.log(textTable(['piece', 'p50'], [
    ['stampNow (id + clock)', fmtUs(inProcess.stamp)],
    ['entryText (PreToolUse payload)', fmtUs(inProcess.entryTextSmall)],
    ['appendToInboxLog (open O_APPEND, one write, fsync, fstat, close)', fmtUs(inProcess.writeEntry)],
    ['runHook, PreToolUse payload (parse check + all of the above)', fmtUs(inProcess.runHookSmall)],
    [`runHook, PostToolUse ${Math.round(r.post200kBytes / 1024)} KB payload`, fmtUs(inProcess.runHookBig)],
  ], new Set([1])));
}

/** Whether the drain the first hook started in `dir` has ended (its claim names a pid that is gone). */
function drainOver(dir: string): boolean {
  const pid = /^drain pid (\d+)/.exec(drainLogs(dir)[0] ?? '')?.[1];
  if (pid === undefined) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch {
    return true;
  }
}

function printDrain(dir: string, before: number, ended: { round: number; ms: number } | undefined, noopNames: number): void {
  const after = pileState(dir);
  console.log(`\nThe drain (inbox names at which a hook starts one: ${DRAIN_AT.toLocaleString('en-US')}): the drained workspace held ${before.toLocaleString('en-US')} inbox names; `
    + `${ended === undefined ? 'its drain had not ended when the rounds did' : `its drain ended in round ${ended.round + 1}, ${(ended.ms / 1000).toFixed(1)} s after the rounds began`}; `
    + `${after.names} names left at the end (${after.claims.length} claim: ${drainLogs(dir).join('; ')}). The no-op-CLI workspace ends with ${noopNames.toLocaleString('en-US')} names (its pile stays by design).`);
}

function share(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(0)}%` : 'n/a';
}
