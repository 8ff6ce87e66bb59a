import { lifecycleColour } from '../../src/projections/trends/state-colours';

// The report's colours on a canvas: the same theme variables as webview/report/style.css (.lc-*,
// .k-*), read from the page once per theme, with the report's own hex colours
// (state-colours.ts) where a variable is missing.

export interface Paint {
  readonly colour: string;
  readonly alpha: number;
}

const LIFECYCLE_VARS: Readonly<Record<string, readonly [string, number]>> = {
  starting: ['--vscode-charts-foreground', 0.5], prompted: ['--vscode-charts-blue', 1], model_working: ['--vscode-charts-purple', 1],
  tool_running: ['--vscode-charts-orange', 1], waiting_for_permission: ['--vscode-charts-red', 1], subagent_running: ['--vscode-charts-green', 1],
  compacting: ['--vscode-charts-yellow', 1], idle: ['--vscode-charts-lines', 0.6], ended: ['--vscode-charts-lines', 0.3],
  // A member whose events are still being read (READING_KIND): an outline until its lanes come.
  reading: ['--vscode-descriptionForeground', 0.2],
};

const KIND_VARS: Readonly<Record<string, string>> = {
  ok: '--vscode-charts-blue', done: '--vscode-charts-blue', prompt: '--vscode-charts-blue',
  failed: '--vscode-charts-red', refused: '--vscode-charts-red', rejected: '--vscode-charts-red',
  denied: '--vscode-charts-orange', blocked: '--vscode-charts-orange',
  interrupted: '--vscode-charts-yellow', compaction: '--vscode-charts-yellow',
  approved: '--vscode-charts-green', journal: '--vscode-charts-purple', transition: '--vscode-charts-foreground',
};

const FALLBACK: Readonly<Record<string, string>> = {
  '--vscode-charts-blue': '#1a85ff', '--vscode-charts-purple': '#8a5cc2', '--vscode-charts-orange': '#d18616', '--vscode-charts-red': '#e51400',
  '--vscode-charts-green': '#388a34', '--vscode-charts-yellow': '#bf8803', '--vscode-charts-foreground': '#8c8c8c', '--vscode-charts-lines': '#8c8c8c',
  '--vscode-foreground': '#8c8c8c', '--vscode-descriptionForeground': '#8c8c8c', '--vscode-editor-background': '#ffffff',
  '--vscode-focusBorder': '#0078d4', '--vscode-widget-border': '#8c8c8c80', '--vscode-list-hoverBackground': '#8c8c8c20',
};

/** Colours read from the theme; rebuilt when VS Code changes the theme (the body's class changes). */
export class Palette {
  private readonly cache = new Map<string, string>();
  private style: CSSStyleDeclaration | undefined;

  constructor(onChange: () => void) {
    new MutationObserver(() => {
      this.cache.clear();
      this.style = undefined;
      onChange();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /** A theme variable's value; `fallback` (else a neutral grey) when the page does not define it. */
  variable(name: string, fallback?: string): string {
    const key = fallback === undefined ? name : `${name} ${fallback}`;
    let value = this.cache.get(key);
    if (value === undefined) {
      this.style ??= getComputedStyle(document.body);
      value = this.style.getPropertyValue(name).trim();
      if (value === '') value = fallback ?? FALLBACK[name] ?? '#8c8c8c';
      this.cache.set(key, value);
    }
    return value;
  }

  /** Reads every colour the timeline draws with (one style pass now rather than during a first draw). */
  warm(): void {
    for (const kind of Object.keys(LIFECYCLE_VARS)) this.state(kind);
    for (const kind of Object.keys(KIND_VARS)) this.kind(kind);
    for (const name of Object.keys(FALLBACK)) this.variable(name);
  }

  /** A lifecycle state's colour, as the report's lifecycle lane. */
  state(kind: string): Paint {
    const known = LIFECYCLE_VARS[kind];
    if (known === undefined) return { colour: this.variable('--vscode-charts-lines'), alpha: 0.3 };
    return { colour: this.variable(known[0], lifecycleColour(kind)), alpha: known[1] };
  }

  /** A call outcome's or marker's colour, as the report's .k-* classes. */
  kind(kind: string): Paint {
    return { colour: this.variable(KIND_VARS[kind] ?? '--vscode-charts-lines'), alpha: 1 };
  }
}
