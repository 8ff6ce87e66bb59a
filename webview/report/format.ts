// Number, time and name formatting shared by the report's sections (durations: formatDuration in ../shared/dom).

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatCost(usd: number): string {
  return `$${usd.toFixed(usd < 10 ? 4 : 2)}`;
}

export function formatPercent(part: number, total: number): string {
  return total <= 0 ? '–' : `${Math.round((part / total) * 100)}%`;
}

/** Time of day with milliseconds (the log's events are often less than a second apart). */
export function formatClock(ms: number | null): string {
  if (ms === null) return '–';
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatDateTime(ms: number | null): string {
  return ms === null ? '–' : new Date(ms).toLocaleString();
}

/** tool_running → tool running; '' → (none). */
export function stateLabel(state: string): string {
  return state === '' ? '(none)' : state.replace(/_/g, ' ');
}

/** Lifecycle states have their own colour classes; anything else (workflow states, from a file) gets one of a palette. */
const LIFECYCLE = new Set(['starting', 'prompted', 'model_working', 'tool_running', 'waiting_for_permission', 'subagent_running', 'compacting', 'idle', 'ended']);
const KINDS = new Set(['ok', 'failed', 'denied', 'interrupted', 'open', 'done', 'blocked', 'refused', 'rejected', 'approved', 'none',
  'prompt', 'compaction', 'journal', 'transition', 'end']);

export function lifecycleClass(state: string): string {
  return LIFECYCLE.has(state) ? `lc-${state}` : 'lc-other';
}

export function kindClass(kind: string): string {
  return KINDS.has(kind) ? `k-${kind}` : 'k-other';
}

/** A stable palette slot per workflow state name, so a state keeps its colour across lanes and charts. */
export function workflowClass(state: string, order: readonly string[]): string {
  const index = order.indexOf(state);
  return `wf-${(index < 0 ? hash(state) : index) % 8}`;
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}
