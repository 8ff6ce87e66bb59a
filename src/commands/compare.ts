import * as vscode from 'vscode';
import * as z from 'zod';
import { compareKey } from '../protocol/compare-view';
import type { CompareTarget } from '../protocol/compare-view';
import { compareCohorts } from '../views/compare/spec';
import type { ExtensionContext } from './context';
import { resolveSession } from './sessions';

// "Logbook: Compare Sessions…": two sessions, or one against the median of a cohort, in the
// Compare view. Other views call it with arguments: (A, B) two session ids (or tree items), or
// (A, { cohort: 'all' | [ids], label? }); what is missing is asked with quick picks.

const id = z.string().min(1).max(200);
const sessionArg = z.union([id, z.object({ sessionId: id }).passthrough().transform((item) => item.sessionId)]);
const cohortArg = z.object({
  cohort: z.union([z.literal('all'), z.array(id).max(200_000)]),
  label: z.string().min(1).max(200).optional(),
}).strict();
const secondArg = z.union([sessionArg, cohortArg]);

type Second = z.infer<typeof secondArg>;

const ALL = 'the median of all sessions';

export async function compareSessions(ctx: ExtensionContext, first?: unknown, second?: unknown): Promise<void> {
  const a = first === undefined ? (await resolveSession(ctx, undefined))?.summary.sessionId : parsed(sessionArg, first, 'the first argument must be a session id');
  if (a === undefined || a === null) return;
  const given = treeSelectionOther(a, second);
  const other = given === undefined ? await pickSecond(ctx, a) : parsed(secondArg, given, 'the second argument must be a session id, or { cohort: "all" or [session ids] }');
  if (other === undefined) return;
  ctx.showPanel('compare', compareKey(targetOf(a, other)));
}

// A tree's context menu passes its selected items second: with two selected, the other one is B.
function treeSelectionOther(a: string, second: unknown): unknown {
  if (!Array.isArray(second) || !second.every((item) => typeof item === 'object' && item !== null)) return second;
  const others = second.map((item) => sessionArg.safeParse(item)).flatMap((r) => (r.success && r.data !== a ? [r.data] : []));
  return others.length === 1 ? others[0] : undefined;
}

function targetOf(a: string, other: Second): CompareTarget {
  if (typeof other === 'string') return { kind: 'sessions', a, b: other };
  if (other.cohort === 'all') return { kind: 'cohort', a, cohort: 'all' };
  return { kind: 'cohort', a, cohort: compareCohorts.add({ ids: other.cohort, label: other.label ?? 'chosen' }) };
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, problem: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`Compare Sessions: ${problem} (got ${JSON.stringify(value)?.slice(0, 80) ?? String(value)})`);
  return result.data;
}

// The second side: the median of every other session first, then every other session by title.
async function pickSecond(ctx: ExtensionContext, a: string): Promise<Second | undefined> {
  const rows = ctx.views.workspaces().flatMap((ws) => [...ws.overview().values()].map((row) => ({ ws, row }))).filter(({ row }) => row.sessionId !== a);
  if (rows.length === 0) {
    void vscode.window.showInformationMessage('Agent Logbook: there is no other session to compare with.');
    return undefined;
  }
  rows.sort((x, y) => (y.row.lastEventAt ?? 0) - (x.row.lastEventAt ?? 0));
  const title = ctx.views.findSession(a)?.summary.title ?? a;
  const picked = await vscode.window.showQuickPick([
    { label: `$(graph) ${ALL}`, description: `${rows.length} other session${rows.length === 1 ? '' : 's'}`, second: { cohort: 'all' } as Second },
    { label: '', kind: vscode.QuickPickItemKind.Separator, second: undefined },
    ...rows.map(({ ws, row }) => ({
      label: row.title ?? row.sessionId,
      description: [row.workflowState ?? row.lifecycleState, row.branch, row.workflow].filter((part) => part !== null).join(' · '),
      detail: `${ws.name} · ${row.sessionId} · last event ${row.lastEventAt === null ? 'unknown' : new Date(row.lastEventAt).toLocaleString()}`,
      second: row.sessionId as Second,
    })),
  ], { title: `Compare "${title.slice(0, 60)}" with…`, placeHolder: 'A second session, or the median of all sessions', matchOnDescription: true, matchOnDetail: true });
  return picked?.second;
}
