import type { DashboardGroup, DashboardRow } from './dashboard';

// The dashboard's table with its groups (issue 16), DOM-free so it is unit-tested: the sessions as
// filtered and sorted (selectRows), where the first shown member of a group stands a group row in
// its place; the group's other shown members leave their places and, when the group is expanded,
// follow its row in that same order. Sessions of no group stay where they were.

/** One line of the table: a session (a group's member when `member` is set), or a group. */
export type DashboardEntry =
  | { readonly kind: 'session'; readonly row: DashboardRow; readonly member?: { readonly group: string; readonly role: string } }
  | { readonly kind: 'group'; readonly group: DashboardGroup; readonly shown: number; readonly expanded: boolean };

export function arrangeGroups(rows: readonly DashboardRow[], groups: readonly DashboardGroup[], expanded: ReadonlySet<string>): DashboardEntry[] {
  if (groups.length === 0) return rows.map((row) => ({ kind: 'session', row }));
  const groupOf = new Map<string, { readonly group: DashboardGroup; readonly role: string }>();
  for (const group of groups) for (const m of group.members) if (!groupOf.has(m.key)) groupOf.set(m.key, { group, role: m.role });
  const shownOf = new Map<string, DashboardRow[]>();
  for (const row of rows) {
    const of = groupOf.get(row.key);
    if (of === undefined) continue;
    const list = shownOf.get(of.group.key);
    if (list === undefined) shownOf.set(of.group.key, [row]);
    else list.push(row);
  }
  const entries: DashboardEntry[] = [];
  const placed = new Set<string>();
  for (const row of rows) {
    const of = groupOf.get(row.key);
    if (of === undefined) {
      entries.push({ kind: 'session', row });
      continue;
    }
    const key = of.group.key;
    if (placed.has(key)) continue;
    placed.add(key);
    const members = shownOf.get(key) ?? [];
    const open = expanded.has(key);
    entries.push({ kind: 'group', group: of.group, shown: members.length, expanded: open });
    if (open) for (const m of members) entries.push({ kind: 'session', row: m, member: { group: key, role: groupOf.get(m.key)?.role ?? 'member' } });
  }
  return entries;
}
