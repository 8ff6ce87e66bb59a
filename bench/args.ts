import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** The measured sections; `--only` picks a subset while working on one of them. */
export type Section = 'hook' | 'ingest' | 'flush' | 'view' | 'folds' | 'redaction' | 'control' | 'scale' | 'vscode' | 'vscode-real' | 'group-timeline' | 'linking';
const SECTIONS: readonly Section[] = ['hook', 'ingest', 'flush', 'view', 'folds', 'redaction', 'control', 'scale', 'vscode', 'vscode-real', 'group-timeline', 'linking'];
/** Sections run without --only: scale and vscode use histories of up to 1M events (minutes, gigabytes), vscode-real a real VS Code on them, group-timeline a chromium, so they are asked for by name. */
const DEFAULT_SECTIONS: readonly Section[] = SECTIONS.filter((s) => s !== 'scale' && s !== 'vscode' && s !== 'vscode-real' && s !== 'group-timeline');

export interface BenchOptions {
  readonly quick: boolean;
  /** Measured runs of each hook variant (after the warm-up rounds). */
  readonly hookRuns: number;
  readonly hookWarmup: number;
  readonly ingestEvents: number;
  readonly ingestReps: number;
  readonly flushSizes: readonly number[];
  /** The two session sizes whose per-event fold cost is compared. */
  readonly foldSizes: readonly [number, number];
  readonly sections: ReadonlySet<Section>;
  /** History sizes (events) of the scale section. */
  readonly scaleSizes: readonly number[];
  /** Where built histories are cached between runs. */
  readonly scaleDir: string;
  readonly scaleReps: number;
  /** Events per `logbook ingest` while a history is built. */
  readonly scaleChunk: number;
  /** Alternating runs of the scripted real-CLI sessions, with and without hooks (0: none). */
  readonly claudeRuns: number;
  /** History sizes (events) of the vscode section. */
  readonly vscodeSizes: readonly number[];
  /** Entries written one at a time, each timed until the views folded it (vscode section). */
  readonly vscodeRuns: number;
  /** History sizes (events) of the vscode-real section. */
  readonly vscodeRealSizes: readonly number[];
  /** Entries written one at a time in the real window, each timed until folded. */
  readonly vscodeRealRuns: number;
  /** PreToolUse firings timed until the control center's row shows them. */
  readonly controlRuns: number;
  /** Runs of each alert rule timed (tool-failures, stuck). */
  readonly controlAlertRuns: number;
  /** Seconds of each idle window of the control section. */
  readonly controlIdleSeconds: number;
  /** A cached workspace with a big history, copied as the control section's third workspace. */
  readonly controlHistory: string | undefined;
  // --- linking (bench/groups/linking-bench.ts) ---
  /** History sizes (events in the store) at which linking's per-event cost is compared. */
  readonly linkingSizes: readonly number[];
  /** Fresh events ingested per run (in passes of 500). */
  readonly linkingEvents: number;
  /** Runs each way (linking on, off), alternating; medians reported. */
  readonly linkingReps: number;
  /** Where the linking section's histories are cached. */
  readonly linkingDir: string;
}

export const USAGE = `Usage: npm run bench -- [options]
  --quick                 smaller counts, no 1M flush (a few minutes at most)
  --hook-runs N           measured spawns per hook variant (default 200, quick 40)
  --hook-warmup N         warm-up rounds before measuring (default 10, quick 5)
  --ingest-events N       inbox entries ingested (default 20000, quick 5000)
  --ingest-reps N         repetitions of the ingest comparison, medians reported (default 5, quick 1)
  --flush-sizes A,B,...   store sizes whose flush is timed (default 10000,100000,1000000; quick 10000,100000)
  --fold-sizes A,B        session sizes (events) whose per-event fold cost is compared (default 5000,20000, quick 2000,8000)
  --only hook,ingest,flush,view,folds,redaction,control,scale  run only these sections (view: hook fired → visible in the views, 100 runs, quick 30;
                          folds: PreToolUse without results against pairs, ingest and report, per-event cost at B ÷ at A;
                          redaction: the secret check per event against JSON.parse;
                          control: the control center with 20 live sessions in 3 workspaces: hook fired → row updated,
                          idle CPU, alert latency;
                          scale: the CLI at history sizes against bare node, and the real Claude Code CLI with and
                          without hooks; only run when named)
  --scale-sizes A,B,...   history sizes in events (default 10000,100000,300000,1000000; quick 10000,100000)
  --scale-dir DIR         where built histories are cached, by size, format and CLI build (default ${defaultScaleDir()})
  --scale-reps N          measured rounds per size, after one warm-up round (default 5, quick 3)
  --scale-chunk N         events per \`logbook ingest\` while building a history (default 25000; a big backlog is a load of its own: 50,000 pending events took a 1.6 GB ingest)
  --claude-runs N         alternating runs of each scripted real-CLI session, with and without hooks (default 3, quick 1; 0 skips)
  --vscode-sizes A,B,...  history sizes of the vscode section (the extension host's store code in plain Node: longest
                          main-thread block per phase, entry → folded; only run when named; default 10000,1000000; quick 10000,100000)
  --vscode-runs N         entries written one at a time and timed until folded, per size (default 60, quick 20)
  --only vscode-real      the same goals inside a real VS Code (code-server, chromium; tools of scripts/vscode-tools.mjs) on a copy
                          of a cached history; only run when named
  --vscode-real-sizes A,B history sizes of vscode-real (cached ones only; default 10000,1000000; quick 10000)
  --vscode-real-runs N    entries timed until folded in the real window (default 30, quick 15)
  --control-runs N        PreToolUse firings timed until the control center's row shows them (default 100, quick 30)
  --control-alert-runs N  runs of each alert rule timed, tool-failures and stuck (default 20, quick 8)
  --control-idle S        seconds of each of the control section's three idle windows (default 30, quick 10)
  --only group-timeline   the unified group timeline at 5/10/20 sessions of 2,500 events: buildGroupTimeline (median), the
                          exported page's first frame in headless chromium against an empty page, and opening the view from
                          a store file (host part, then the webview page's first frame; first opening, every lane drawn,
                          opened again, a refresh) with redraws while zooming and panning; only run when named
  --control-history DIR   a cached workspace with a big history (e.g. a scale cache's h1-1000000-*/ws), copied into the
                          temp folder as the control section's third workspace (default: small histories)
  --only linking          linking between sessions: µs per ingested event with IngestOptions.linkSessions on and off, into
                          copies of a history built with linking on (goal on ÷ off ≤ 1.1×); runs by default
  --linking-sizes A,B,... history sizes (default 10000,100000,1000000; quick 10000,100000)
  --linking-events N      fresh events per run, in passes of 500 (default 20000, quick 10000)
  --linking-reps N        runs each way, alternating, medians (default 5, quick 3)
  --linking-dir DIR       where its histories are cached (default ${join(tmpdir(), 'logbook-bench-linking')})`;

function defaultScaleDir(): string {
  return join(tmpdir(), 'logbook-bench-scale');
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      'hook-runs': { type: 'string' },
      'hook-warmup': { type: 'string' },
      'ingest-events': { type: 'string' },
      'ingest-reps': { type: 'string' },
      'flush-sizes': { type: 'string' },
      'fold-sizes': { type: 'string' },
      only: { type: 'string' },
      'scale-sizes': { type: 'string' },
      'scale-dir': { type: 'string' },
      'scale-reps': { type: 'string' },
      'scale-chunk': { type: 'string' },
      'claude-runs': { type: 'string' },
      'vscode-sizes': { type: 'string' },
      'vscode-runs': { type: 'string' },
      'vscode-real-sizes': { type: 'string' },
      'vscode-real-runs': { type: 'string' },
      'control-runs': { type: 'string' },
      'control-alert-runs': { type: 'string' },
      'control-idle': { type: 'string' },
      'control-history': { type: 'string' },
      // --- linking ---
      'linking-sizes': { type: 'string' },
      'linking-events': { type: 'string' },
      'linking-reps': { type: 'string' },
      'linking-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help === true) return 'help';
  const quick = values.quick === true;
  const sections = values.only === undefined ? new Set(DEFAULT_SECTIONS) : new Set(values.only.split(',').map(section));
  return {
    quick,
    hookRuns: positiveInt('--hook-runs', values['hook-runs'], quick ? 40 : 200),
    hookWarmup: positiveInt('--hook-warmup', values['hook-warmup'], quick ? 5 : 10, true),
    ingestEvents: positiveInt('--ingest-events', values['ingest-events'], quick ? 5000 : 20_000),
    ingestReps: positiveInt('--ingest-reps', values['ingest-reps'], quick ? 1 : 5),
    flushSizes: values['flush-sizes'] === undefined
      ? (quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000])
      : values['flush-sizes'].split(',').map((s) => positiveInt('--flush-sizes', s.trim(), 0)),
    foldSizes: foldSizes(values['fold-sizes'], quick),
    sections,
    scaleSizes: values['scale-sizes'] === undefined
      ? (quick ? [10_000, 100_000] : [10_000, 100_000, 300_000, 1_000_000])
      : values['scale-sizes'].split(',').map((s) => positiveInt('--scale-sizes', s.trim(), 0)),
    scaleDir: values['scale-dir'] ?? defaultScaleDir(),
    scaleReps: positiveInt('--scale-reps', values['scale-reps'], quick ? 3 : 5),
    scaleChunk: positiveInt('--scale-chunk', values['scale-chunk'], 25_000),
    claudeRuns: positiveInt('--claude-runs', values['claude-runs'], quick ? 1 : 3, true),
    vscodeSizes: values['vscode-sizes'] === undefined
      ? (quick ? [10_000, 100_000] : [10_000, 1_000_000])
      : values['vscode-sizes'].split(',').map((s) => positiveInt('--vscode-sizes', s.trim(), 0)),
    vscodeRuns: positiveInt('--vscode-runs', values['vscode-runs'], quick ? 20 : 60),
    vscodeRealSizes: values['vscode-real-sizes'] === undefined
      ? (quick ? [10_000] : [10_000, 1_000_000])
      : values['vscode-real-sizes'].split(',').map((s) => positiveInt('--vscode-real-sizes', s.trim(), 0)),
    vscodeRealRuns: positiveInt('--vscode-real-runs', values['vscode-real-runs'], quick ? 15 : 30),
    controlRuns: positiveInt('--control-runs', values['control-runs'], quick ? 30 : 100),
    controlAlertRuns: positiveInt('--control-alert-runs', values['control-alert-runs'], quick ? 8 : 20),
    controlIdleSeconds: positiveInt('--control-idle', values['control-idle'], quick ? 10 : 30),
    controlHistory: values['control-history'],
    // --- linking ---
    linkingSizes: values['linking-sizes'] === undefined
      ? (quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000])
      : values['linking-sizes'].split(',').map((s) => positiveInt('--linking-sizes', s.trim(), 0)),
    linkingEvents: positiveInt('--linking-events', values['linking-events'], quick ? 10_000 : 20_000),
    linkingReps: positiveInt('--linking-reps', values['linking-reps'], quick ? 3 : 5),
    linkingDir: values['linking-dir'] ?? join(tmpdir(), 'logbook-bench-linking'),
  };
}

function foldSizes(text: string | undefined, quick: boolean): readonly [number, number] {
  if (text === undefined) return quick ? [2000, 8000] : [5000, 20_000];
  const sizes = text.split(',').map((s) => positiveInt('--fold-sizes', s.trim(), 0));
  if (sizes.length !== 2 || (sizes[0] as number) >= (sizes[1] as number)) throw new Error(`--fold-sizes: expected two sizes, smaller first, got ${JSON.stringify(text)}`);
  return [sizes[0] as number, sizes[1] as number];
}

function section(name: string): Section {
  const found = SECTIONS.find((s) => s === name.trim());
  if (found === undefined) throw new Error(`--only: unknown section ${JSON.stringify(name)} (expected ${SECTIONS.join(', ')})`);
  return found;
}

function positiveInt(flag: string, text: string | undefined, fallback: number, zeroOk = false): number {
  if (text === undefined) return fallback;
  // Accept 1_000_000 and 1e6 style counts: people paste both.
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < (zeroOk ? 0 : 1)) throw new Error(`${flag}: expected a ${zeroOk ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(text)}`);
  return value;
}
