import type { TimedSpan } from '../../src/views/timings/host-timings';

// What the bench's runner (vscode-real-bench.ts, plain Node) and its suite (suite.ts, inside the
// extension host of a real VS Code) tell each other: a context file named by $CONTEXT_ENV, a
// result file the suite writes before it returns. Times are the extension host's
// performance.now(), the clock of the extension's own recorder (src/views/timings/).

export const CONTEXT_ENV = 'LOGBOOK_VSCODE_REAL_CONTEXT';
/** Progress lines the suite prints; the runner shows them as they come. */
export const PROGRESS_PREFIX = '@@vscode-real ';

export interface RealContext {
  readonly workspace: string;
  readonly repoRoot: string;
  readonly resultFile: string;
  /** Single entries timed until folded. */
  readonly runs: number;
}

export type RealPhaseKey = 'activation' | 'afterActivation' | 'idle' | 'burst' | 'afterBurst' | 'latency';

export interface RealSpan {
  readonly key: RealPhaseKey;
  readonly from: number;
  readonly to: number;
}

export interface RealResult {
  readonly activateStart: number;
  /** When the suite's module was loaded (VS Code runs extensionTestsPath after the eager activations began). */
  readonly suiteLoaded: number;
  /** When the sessions view was asked to show (its focus command returned). */
  readonly viewShown: number | undefined;
  readonly marks: Readonly<Record<string, number>>;
  readonly treeReads: readonly { readonly at: number; readonly rows: number }[];
  readonly sessionsInCatalog: number;
  readonly phases: readonly RealSpan[];
  readonly blocks: readonly TimedSpan[];
  readonly calls: readonly TimedSpan[];
  /** Entry written → the views' catalog folded it, one per run, ms. */
  readonly visibleMs: readonly number[];
  readonly burstEntries: number;
  /** Logbook: Open Sessions Dashboard → its table painted (the host's clock), and the rows it showed; absent when it never painted. */
  readonly dashboard?: {
    readonly firstPaintMs: number; readonly rows: number; readonly webviewMs?: number; readonly allRowsMs?: number; readonly allRows?: number;
    /** Sort and filter changes over every row, each to its painted frame (the webview's own clock). */
    readonly sortMs?: readonly number[]; readonly filterMs?: readonly number[];
    /** VS Code's own floor: an empty webview's creation → its first painted frame, in the same window. */
    readonly emptyWebviewMs?: number;
  };
  readonly error?: string;
}
