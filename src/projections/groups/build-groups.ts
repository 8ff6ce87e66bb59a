import type { GroupKind, GroupMember, GroupRole, GroupSummary, SessionLink } from '../../domain/groups/model';
import type { SessionListing } from '../overview/session-query';
import type { SessionLinkRecord } from './link-fold';

// Groups from links: sessions with the same run name, a team, or a parent and the children its
// tools started (spawn links) are one group; hand-offs (inferred) are shown between members but
// never join groups. A component's kind and name: its run if a member has one (the root's first),
// else its team, else "tree" named by its root session. A run is a group from its first session;
// a tree needs a parent and a child.

/** Lifecycle states that are not work: time in them is left out of a member's active time. */
const RESTING = new Set(['idle', 'ended']);

/** `linksInto`: every link into these sessions (spawns and the rest), e.g. LinkState.linksInto. */
export function buildGroups(records: ReadonlyMap<string, SessionLinkRecord>, listings: ReadonlyMap<string, SessionListing>, linksInto: (ids: readonly string[]) => SessionLink[] = (ids) => ids.flatMap((id) => records.get(id)?.links ?? [])): GroupSummary[] {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.has(root)) root = parent.get(root) as string;
    // Path halving keeps later finds short.
    let at = id;
    while (parent.has(at) && parent.get(at) !== root) {
      const next = parent.get(at) as string;
      parent.set(at, root);
      at = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  const byRun = new Map<string, string>();
  const byTeam = new Map<string, string>();
  const grouped = new Set<string>();
  for (const [id, record] of records) {
    const run = record.origin?.run;
    if (run !== undefined) {
      grouped.add(id);
      const first = byRun.get(run);
      if (first === undefined) byRun.set(run, id);
      else union(first, id);
    }
    const team = record.origin?.team;
    if (team !== undefined) {
      grouped.add(id);
      const first = byTeam.get(team);
      if (first === undefined) byTeam.set(team, id);
      else union(first, id);
    }
    for (const link of record.links) {
      if (link.kind !== 'spawn') continue;
      grouped.add(link.from);
      grouped.add(link.to);
      union(link.from, link.to);
    }
  }
  const components = new Map<string, string[]>();
  for (const id of grouped) {
    const root = find(id);
    const list = components.get(root) ?? [];
    list.push(id);
    components.set(root, list);
  }
  const groups: GroupSummary[] = [];
  for (const ids of components.values()) {
    const group = groupOf(ids, records, listings, linksInto);
    if (group !== undefined) groups.push(group);
  }
  return groups.sort((a, b) => (b.lastEventAt ?? 0) - (a.lastEventAt ?? 0) || a.id.localeCompare(b.id));
}

function groupOf(ids: readonly string[], records: ReadonlyMap<string, SessionLinkRecord>, listings: ReadonlyMap<string, SessionListing>, linksInto: (ids: readonly string[]) => SessionLink[]): GroupSummary | undefined {
  const members = new Set(ids);
  const parentOf = new Map<string, string>();
  const links: SessionLink[] = [];
  for (const link of linksInto(ids)) {
    if (!members.has(link.from) || !members.has(link.to)) continue;
    links.push(link);
    if (link.kind === 'spawn' && !parentOf.has(link.to)) parentOf.set(link.to, link.from);
  }
  const starts = (id: string): number => listings.get(id)?.row.firstEventAt ?? Number.MAX_SAFE_INTEGER;
  const roots = ids.filter((id) => !parentOf.has(id)).sort((a, b) => starts(a) - starts(b) || a.localeCompare(b));
  const root = roots[0] ?? ids[0];
  if (root === undefined) return undefined;
  const runOf = (id: string): string | undefined => records.get(id)?.origin?.run;
  const teamOf = (id: string): string | undefined => records.get(id)?.origin?.team;
  const run = runOf(root) ?? ids.map(runOf).find((r) => r !== undefined);
  const team = teamOf(root) ?? ids.map(teamOf).find((t) => t !== undefined);
  const kind: GroupKind = run !== undefined ? 'run' : team !== undefined ? 'team' : 'tree';
  if (kind === 'tree' && ids.length < 2) return undefined;
  const parents = new Set(parentOf.values());
  const roleOf = (id: string): GroupRole => {
    if (team !== undefined && teamOf(id) !== undefined) return parentOf.has(id) || records.get(id)?.origin?.agentName !== undefined ? 'teammate' : 'lead';
    if (parentOf.has(id)) return 'worker';
    return parents.has(id) ? 'lead' : 'member';
  };
  const list = ids.map((id) => memberOf(id, roleOf(id), parentOf.get(id) ?? null, records.get(id), listings.get(id)))
    .sort((a, b) => (a.firstEventAt ?? Number.MAX_SAFE_INTEGER) - (b.firstEventAt ?? Number.MAX_SAFE_INTEGER) || a.sessionId.localeCompare(b.sessionId));
  const firsts = list.map((m) => m.firstEventAt).filter((t): t is number => t !== null);
  const lasts = list.map((m) => m.lastEventAt).filter((t): t is number => t !== null);
  const firstEventAt = firsts.length > 0 ? Math.min(...firsts) : null;
  const lastEventAt = lasts.length > 0 ? Math.max(...lasts) : null;
  const rootTitle = listings.get(root)?.row.title ?? root.slice(0, 8);
  return {
    id: kind === 'run' ? `run:${run as string}` : kind === 'team' ? `team:${team as string}` : `tree:${root}`,
    kind,
    label: kind === 'run' ? (run as string) : kind === 'team' ? (team as string) : rootTitle,
    members: list,
    firstEventAt,
    lastEventAt,
    spanMs: firstEventAt !== null && lastEventAt !== null ? lastEventAt - firstEventAt : 0,
    activeMs: sum(list.map((m) => m.activeMs)),
    costUsd: sum(list.map((m) => m.costUsd)),
    tokens: sum(list.map((m) => m.tokens)),
    failures: sum(list.map((m) => m.toolFailures)),
    links: links.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)),
  };
}

function memberOf(sessionId: string, role: GroupRole, parentSessionId: string | null, record: SessionLinkRecord | undefined, listing: SessionListing | undefined): GroupMember {
  const row = listing?.row;
  const activeMs = row === undefined ? 0 : sum(Object.entries(row.lifecycleMs).filter(([state]) => !RESTING.has(state)).map(([, ms]) => ms));
  return {
    sessionId,
    title: row?.title ?? null,
    role,
    parentSessionId,
    worktree: record?.origin?.worktree ?? null,
    branch: record?.origin?.branch ?? row?.branch ?? null,
    firstEventAt: row?.firstEventAt ?? null,
    lastEventAt: row?.lastEventAt ?? null,
    activeMs,
    ended: row?.ended ?? false,
    lifecycleState: row?.lifecycleState ?? 'unknown',
    toolCalls: row?.toolCalls ?? 0,
    toolFailures: row?.toolFailures ?? 0,
    costUsd: listing?.costUsd ?? 0,
    tokens: listing?.tokens ?? 0,
  };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
