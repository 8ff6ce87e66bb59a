// Colours of states in stacked trend charts, the same in the dashboard and its HTML export. A
// lifecycle state has its own (the report's); a workflow state, whose names each workflow chooses,
// gets a colour from a hash of its name: stable across days, filters and machines, with no
// list to keep. No zod, no node: the webview bundles it.

/** Lifecycle states in the order their bars stack, bottom first. */
export const LIFECYCLE_STACK = ['prompted', 'model_working', 'tool_running', 'waiting_for_permission', 'subagent_running', 'compacting', 'idle', 'starting', 'ended'] as const;

const LIFECYCLE_COLOURS: Readonly<Record<string, string>> = {
  prompted: '#1a85ff', model_working: '#8a5cc2', tool_running: '#d18616', waiting_for_permission: '#e51400',
  subagent_running: '#388a34', compacting: '#bf8803', idle: '#8c8c8c', starting: '#b0b0b0', ended: '#c8c8c8',
};

/** A lifecycle state's colour. */
export function lifecycleColour(state: string): string {
  return Object.hasOwn(LIFECYCLE_COLOURS, state) ? LIFECYCLE_COLOURS[state] ?? '#8c8c8c' : '#8c8c8c';
}

/**
 * A workflow state's colour: FNV-1a of its name picks one of 24 hues 15° apart, in one of two
 * lightnesses (48 colours: three states share one about one time in twenty, where a palette of
 * twelve would about one time in four). Readable on light and dark backgrounds.
 */
export function workflowStateColour(state: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < state.length; i += 1) hash = Math.imul(hash ^ state.charCodeAt(i), 0x01000193) >>> 0;
  return `hsl(${(hash % 24) * 15}, 60%, ${Math.floor(hash / 24) % 2 === 0 ? 45 : 62}%)`;
}

/** The states of a group of time records, largest total first (then by name): the legend's order. */
export function statesByTime(records: Iterable<Readonly<Record<string, number>>>): string[] {
  const totals = new Map<string, number>();
  for (const record of records) for (const [state, ms] of Object.entries(record)) if (ms > 0) totals.set(state, (totals.get(state) ?? 0) + ms);
  return [...totals].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0)).map(([state]) => state);
}
