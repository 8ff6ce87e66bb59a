import type { TrendPeriod } from '../../protocol/trends';
import { buildTrendsPrompt } from '../../projections/discuss/cross-session';
import type { SessionOverview } from '../../projections/overview/session-overview';
import type { PriceTable } from '../../projections/pricing';
import { buildTrends } from '../../projections/trends/build-trends';
import type { WorkspaceLogbook } from '../workspace-logbook';
import { splitRowKey } from './rows';

// "Discuss with Claude" for the dashboard's trends: the trends of the rows it shows (their keys:
// the workspace folder, NUL, the session id), built on the host from the overview rows as
// `logbook trends` builds them, and the prompt of cross-session.ts.

export interface TrendsPrompt {
  readonly prompt: string;
  /** A folder to start Claude in: the workspace of the first row (the first workspace without rows). */
  readonly cwd: string | undefined;
}

export function trendsPromptOf(workspaces: readonly WorkspaceLogbook[], keys: readonly string[], by: TrendPeriod, now: number, prices: PriceTable): TrendsPrompt {
  const byFolder = new Map(workspaces.map((ws) => [ws.paths.workspace, ws]));
  const rows: SessionOverview[] = [];
  let cwd: string | undefined;
  for (const key of keys) {
    const parts = splitRowKey(key);
    if (parts === undefined) continue;
    const ws = byFolder.get(parts.folder);
    const row = ws?.overview().get(parts.sessionId);
    if (ws === undefined || row === undefined) continue;
    rows.push(row);
    cwd ??= ws.paths.workspace;
  }
  const trends = buildTrends(rows, { by, now, prices });
  // The command that gives the same figures when the dashboard shows every session; a filtered
  // view has no one command, so Claude is told which sessions these are.
  const total = workspaces.reduce((n, ws) => n + ws.overview().size, 0);
  const command = `logbook trends --by ${by}`;
  const prompt = buildTrendsPrompt(trends, command);
  const scope = rows.length === total ? '' : `\n\nThese trends are of ${rows.length} of the ${total} sessions (the dashboard's filters); \`${command}\` gives them for every session, \`logbook trends --by ${by} --where '…'\` for a part.`;
  return { prompt: `${prompt}${scope}`, cwd: cwd ?? workspaces[0]?.paths.workspace };
}
