import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBenchArgs, USAGE } from './args';
import type { BenchOptions } from './args';
import { benchFlush } from './flush-bench';
import { benchFolds, foldRows } from './folds-bench';
import type { FoldsBenchResult } from './folds-bench';
import type { FlushPoint } from './flush-bench';
import { benchHook } from './hook-bench';
import type { HookBenchResult } from './hook-bench';
import { PENDING_DECISIONS } from './hook-pile';
import { benchIngest, rawChild } from './ingest-bench';
import type { IngestBenchResult } from './ingest-bench';
import { describeMachine } from './machine';
import { benchRedaction, redactionTable } from './redaction-bench';
import type { RedactionPoint } from './redaction-bench';
import { benchViewLatency, VIEW_LATENCY_GOAL_MS } from './view-latency';
import type { ViewLatencyResult } from './view-latency';
import { benchClaudeSessions, claudeSummaryRows, printClaudeSessions } from './scale/claude-session-bench';
import { benchScale } from './scale/scale-bench';
import { printScale, scaleSummaryRows } from './scale/scale-report';
import { benchControl } from './control/control-bench';
import { controlSummaryRows, printControl } from './control/control-report';
import { benchVscode } from './vscode-scale/vscode-bench';
import { printVscode, vscodeSummaryRows } from './vscode-scale/vscode-report';
import { benchVscodeReal } from './vscode-real/vscode-real-bench';
import { printVscodeReal, vscodeRealSummaryRows } from './vscode-real/vscode-real-report';
import { historyWorkspace } from './scale/history-store';
import { NodeRunner } from './scale/timed-process';
import { fmtInt, fmtMB, fmtMs, fmtRatio, fmtUs, markdownTable, msSince, progress } from './stats';
import { loadFixture } from './workload';
import { benchGroupTimeline, groupTimelineSummaryRows, printGroupTimeline } from './groups/timeline-bench';
// --- linking ---
import { benchLinking, linkingSummaryRows, printLinking } from './groups/linking-bench';

// `npm run bench`: figures measured side by side in one run, each as a ratio against a
// baseline measured in the same run (the same process, or a fresh process of the same command
// where sharing the process would skew it), so the ratios hold across machines better than the
// absolute times. Not a test: it prints, it does not pass or fail on the goals.

/** Bundled as dist/bench.js: the repository root is one level up (also from bench/ under tsx). */
const ROOT = join(__dirname, '..');
const HOOK_GOAL = 1.25;
const INGEST_GOAL = 0.55;

async function main(): Promise<void> {
  // Internal: the raw baseline's own process (ingest-bench.ts).
  if (process.argv[2] === '--raw-child') return rawChild(process.argv[3] ?? '', process.argv[4] ?? '');
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  const options: BenchOptions = parsed;
  const hookBundle = join(ROOT, 'dist', 'hook.js');
  if (!existsSync(hookBundle)) throw new Error(`${hookBundle} is missing: run npm run build (npm run bench does)`);

  const tempDir = mkdtempSync(join(tmpdir(), 'logbook-bench-'));
  const cleanup = (): void => rmSync(tempDir, { recursive: true, force: true });
  // Ctrl-C during a long populate must not leave gigabytes in /tmp.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      progress(`${signal}: removing ${tempDir}`);
      cleanup();
      process.exit(code);
    });
  }

  const started = process.hrtime.bigint();
  const loadBefore = loadavg()[0] ?? 0;
  try {
    const fixture = loadFixture(ROOT);
    console.log(`# Agent Logbook bench${options.quick ? ' (--quick)' : ''}`);
    console.log(`hook runs ${options.hookRuns} (+${options.hookWarmup} warm-up rounds), ingest ${fmtInt(options.ingestEvents)} events × ${options.ingestReps} run${options.ingestReps === 1 ? '' : 's'}, flush sizes ${options.flushSizes.map(fmtInt).join(' / ')}`);
    const hook = options.sections.has('hook')
      ? await benchHook({ root: ROOT, tempDir, fixture, runs: options.hookRuns, warmup: options.hookWarmup })
      : undefined;
    const ingest = options.sections.has('ingest') ? await benchIngest({ tempDir, fixture, events: options.ingestEvents, reps: options.ingestReps }) : undefined;
    const flush = options.sections.has('flush') ? await benchFlush({ tempDir, fixture, sizes: options.flushSizes }) : undefined;
    const view = options.sections.has('view') ? await benchViewLatency({ root: ROOT, tempDir, fixture, runs: options.quick ? 30 : 100 }) : undefined;
    const folds = options.sections.has('folds') ? await benchFolds({ tempDir, sizes: options.foldSizes }) : undefined;
    const redaction = options.sections.has('redaction') ? benchRedaction(fixture, options.quick) : undefined;
    if (redaction !== undefined) console.log(`\n## Redaction check per event\n\n${redactionTable(redaction)}`);
    const extra: string[][] = [];
    if (options.sections.has('control')) {
      const control = await benchControl({ root: ROOT, tempDir, fixture, runs: options.controlRuns, alertRuns: options.controlAlertRuns, idleSeconds: options.controlIdleSeconds, historyDir: options.controlHistory });
      printControl(control);
      extra.push(...controlSummaryRows(control));
    }
    if (options.sections.has('scale')) {
      progress(`scale: histories of ${options.scaleSizes.map(fmtInt).join(' / ')} events, cached in ${options.scaleDir}`);
      const scale = await benchScale({ root: ROOT, tempDir, scaleDir: options.scaleDir, fixture, sizes: options.scaleSizes, reps: options.scaleReps, chunk: options.scaleChunk });
      printScale(scale, options.scaleReps);
      extra.push(...scaleSummaryRows(scale));
      if (options.claudeRuns > 0) {
        const claude = await benchClaudeSessions({ tempDir, runs: options.claudeRuns });
        printClaudeSessions(claude);
        extra.unshift(...claudeSummaryRows(claude));
      }
    }
    if (options.sections.has('vscode')) {
      const runner = new NodeRunner(tempDir);
      const build = (events: number): ReturnType<typeof historyWorkspace> => historyWorkspace({ root: ROOT, scaleDir: options.scaleDir, fixture, events, runner, chunk: options.scaleChunk });
      const points = await benchVscode({ tempDir, scaleDir: options.scaleDir, fixture, sizes: options.vscodeSizes, runs: options.vscodeRuns, build });
      printVscode(points);
      extra.push(...vscodeSummaryRows(points));
    }
    if (options.sections.has('vscode-real')) {
      const points = await benchVscodeReal({ root: ROOT, tempDir, scaleDir: options.scaleDir, sizes: options.vscodeRealSizes, runs: options.vscodeRealRuns });
      printVscodeReal(points);
      extra.push(...vscodeRealSummaryRows(points));
    }
    if (options.sections.has('group-timeline')) {
      const points = await benchGroupTimeline({ root: ROOT, tempDir, quick: options.quick });
      printGroupTimeline(points);
      extra.push(...groupTimelineSummaryRows(points));
    }
    // --- linking: issue 16, per-event ingest cost with linking on ÷ off at several history sizes ---
    if (options.sections.has('linking')) {
      const points = await benchLinking({ tempDir, fixture, sizes: options.linkingSizes, events: options.linkingEvents, reps: options.linkingReps, cacheDir: options.linkingDir });
      printLinking(points);
      extra.push(...linkingSummaryRows(points));
    }

    console.log('\n## Summary (Markdown, for the README)\n');
    console.log(summaryTable(hook, ingest, flush, view, folds, redaction, extra));
    console.log(`\nMachine: ${describeMachine(tmpdir(), hook?.inboxWriteMs)}.`);
    console.log(loadLine(loadBefore, loadavg()[0] ?? 0));
    console.log(`Bench run took ${(msSince(started) / 1000).toFixed(0)} s (\`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`).`);
  } finally {
    progress(`removing ${tempDir}`);
    cleanup();
  }
}

/**
 * Other work on the machine (a test run, a build) skews p95s and disk-bound phases far more
 * than the interleaved ratios: say how busy it was, so a noisy run is recognised as one.
 */
function loadLine(before: number, after: number): string {
  const cores = cpus().length;
  // At the end the bench's own process counts in the load (about 1), at the start it does not.
  const busy = before > cores * 0.5 || after > cores;
  return `Load average (1 min) at start ${before.toFixed(2)}, at end ${after.toFixed(2)}, on ${cores} cores${busy ? ': the machine was busy with other work, figures are noisier than usual; rerun on an idle machine' : ''}.`;
}

function summaryTable(hook: HookBenchResult | undefined, ingest: IngestBenchResult | undefined, flush: readonly FlushPoint[] | undefined, view: ViewLatencyResult | undefined, folds: FoldsBenchResult | undefined, redaction: readonly RedactionPoint[] | undefined, extra: readonly string[][]): string {
  const rows: string[][] = [];
  const goal = (ok: boolean, text: string): string => `${text} ${ok ? '✓' : '✗'}`;
  if (hook !== undefined) {
    const pre50 = hook.pre.p50 / hook.baseline.p50;
    const pre95 = hook.pre.p95 / hook.baseline.p95;
    rows.push(
      ['Hook wall time p50, PreToolUse (blocking)', fmtMs(hook.pre.p50), `${fmtMs(hook.baseline.p50)} \`node -e 0\``, fmtRatio(pre50), goal(pre50 <= HOOK_GOAL, `≤ ${HOOK_GOAL}×`)],
      ['Hook wall time p95, PreToolUse (blocking)', fmtMs(hook.pre.p95), `${fmtMs(hook.baseline.p95)} \`node -e 0\``, fmtRatio(pre95), goal(pre95 <= HOOK_GOAL, `≤ ${HOOK_GOAL}×`)],
      ...(['preWorkflowAllowed', 'preWorkflowDenied'] as const).map((key) => {
        const ratio = hook[key].p95 / hook.baseline.p95;
        const label = key === 'preWorkflowAllowed' ? 'allowed' : 'denied';
        return [`Hook wall time p95, PreToolUse under a workflow, ${label}`, fmtMs(hook[key].p95), `${fmtMs(hook.baseline.p95)} \`node -e 0\``, fmtRatio(ratio), goal(ratio <= HOOK_GOAL, `≤ ${HOOK_GOAL}×`)];
      }),
      [`Hook wall time p95, PreToolUse denied, ${PENDING_DECISIONS.toLocaleString('en-US')} entries pending at first, drained in the background (every round)`, fmtMs(hook.preDenied10kDrained.p95), `${fmtMs(hook.baseline.p95)} \`node -e 0\``, fmtRatio(hook.preDenied10kDrained.p95 / hook.baseline.p95), goal(hook.preDenied10kDrained.p95 / hook.baseline.p95 <= HOOK_GOAL, `≤ ${HOOK_GOAL}×`)],
      ['Hook wall time p95, the call that starts a drain', fmtMs(hook.drainStart.p95), `${fmtMs(hook.baseline.p95)} \`node -e 0\``, fmtRatio(hook.drainStart.p95 / hook.baseline.p95), 'informational'],
      [`Hook wall time p95, PreToolUse with ${hook.pendingDecisions.toLocaleString('en-US')} decisions pending, denied, no CLI to drain them`, fmtMs(hook.preDenied10k.p95), `${fmtMs(hook.baseline.p95)} \`node -e 0\``, fmtRatio(hook.preDenied10k.p95 / hook.baseline.p95), 'informational (fallback)'],
      [`Hook wall time p95, the same without the hook's fold (every pending decision read)`, fmtMs(hook.preDenied10kNoFold.p95), `${fmtMs(hook.baseline.p95)} \`node -e 0\``, fmtRatio(hook.preDenied10kNoFold.p95 / hook.baseline.p95), 'informational'],
      ['Hook wall time p50, PreToolUse with no workflow (saved by sh, no Node start)', fmtMs(hook.pre.p50), `${fmtMs(hook.shCat.p50)} \`sh -c 'cat >/dev/null'\``, fmtRatio(hook.pre.p50 / hook.shCat.p50), 'informational'],
      [`Hook wall time p50, PostToolUse ${Math.round(hook.post200kBytes / 1024)} KB`, fmtMs(hook.post200k.p50), `${fmtMs(hook.baseline.p50)} \`node -e 0\``, fmtRatio(hook.post200k.p50 / hook.baseline.p50), 'informational'],
      [`Hook wall time p95, PostToolUse ${Math.round(hook.post200kBytes / 1024)} KB`, fmtMs(hook.post200k.p95), `${fmtMs(hook.baseline.p95)} \`node -e 0\``, fmtRatio(hook.post200k.p95 / hook.baseline.p95), 'informational'],
    );
  }
  if (ingest !== undefined) {
    const ours = ingest.events / (ingest.oursMs / 1000);
    const raw = ingest.events / (ingest.rawMs / 1000);
    const allIn = ingest.events / (ingest.allInMs / 1000);
    const rawBytes = ingest.events / (ingest.rawBytesMs / 1000);
    rows.push(
      [`Ingest incl. durable flush, ${fmtInt(ingest.events)} events`, `${fmtInt(ours)} events/s`, `${fmtInt(raw)} events/s raw sql.js inserts`, fmtRatio(ours / raw), goal(ours / raw >= INGEST_GOAL, `≥ ${INGEST_GOAL}×`)],
      ['Ingest all-in (+ deferred archive and seal, full-text index)', `${fmtInt(allIn)} events/s`, `${fmtInt(raw)} events/s raw sql.js inserts`, fmtRatio(allIn / raw), 'informational'],
      ['Ingest incl. durable flush, against raw inserts binding data as UTF-8 bytes', `${fmtInt(ours)} events/s`, `${fmtInt(rawBytes)} events/s raw sql.js inserts, bytes`, fmtRatio(ours / rawBytes), 'informational'],
      ['Our schema\'s INSERTs alone (the ceiling of any ingest into it)', `${fmtInt(ingest.events / (ingest.schemaMs / 1000))} events/s`, `${fmtInt(raw)} events/s raw sql.js inserts`, fmtRatio(ingest.events / (ingest.schemaMs / 1000) / raw), 'informational'],
    );
  }
  for (const p of flush ?? []) {
    if (p.error !== undefined) {
      rows.push([`Flush, ${fmtInt(p.events)} events`, 'failed', '', '', p.error]);
      continue;
    }
    rows.push([`Flush, ${fmtInt(p.events)} events (${fmtMB(p.bytes)}, held in ${p.residence})`, fmtMs(p.flushMs), `${fmtMs(p.exportMs)} \`db.export()\``, fmtRatio(p.flushMs / p.exportMs), 'informational']);
  }
  if (view !== undefined) {
    rows.push([`Hook fired → folded by the views, p95 (${view.runs} runs)`, fmtMs(view.visible.p95), `${fmtMs(view.hook.p95)} hook wall time p95`, fmtRatio(view.visible.p95 / view.hook.p95), goal(view.visible.p95 <= VIEW_LATENCY_GOAL_MS, `≤ ${VIEW_LATENCY_GOAL_MS} ms`)]);
  }
  if (folds !== undefined) rows.push(...foldRows(folds));
  for (const p of redaction ?? []) {
    rows.push([`Redaction check per event (mayMatch, then redactValue if it may hold a secret), ${p.label}`, fmtUs(p.checkMs), `${fmtUs(p.parseMs)} \`JSON.parse\``, fmtRatio(p.checkMs / p.parseMs), 'informational']);
  }
  rows.push(...extra);
  return markdownTable(['Measure', 'Agent Logbook', 'Baseline (same run)', 'Ratio', 'Goal'], rows, new Set([1, 2, 3]));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
