import { logbookPaths } from '../capture/paths';
import { loadSessionReport } from '../read/session-report';
import { summarizeSession } from '../projections/session-summary';
import { LogbookDatabase } from '../store/logbook-database';
import { DEFAULT_PRICE_TABLE, mergePriceTables } from '../projections/pricing';
import type { PriceTableOverrides } from '../projections/pricing';
import { readWorkspaceSettings } from './workspace-settings';
import { boolFlag, UsageError } from './args';
import type { CliContext } from './main';

/** `logbook report <session> --json`: the session summary, with tokens and cost from its transcripts. */
export async function reportCommand(ctx: CliContext): Promise<number> {
  const [session, ...extra] = ctx.args.positionals;
  if (session === undefined) throw new UsageError('name the session (see "logbook sessions")');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (!boolFlag(ctx.args, 'json')) throw new UsageError('only --json is available for now');
  const opened = await LogbookDatabase.open(logbookPaths(ctx.workspace).store);
  if (!opened.ok) {
    ctx.io.err(opened.problem.kind === 'missing' ? 'no store yet: run "logbook ingest"' : `the store could not be read (${opened.problem.reason}); "logbook ingest" rebuilds it`);
    return 1;
  }
  try {
    const events = opened.database.store.readStream(session);
    if (events.length === 0) {
      ctx.io.err(`no session ${JSON.stringify(session)} in the store (see "logbook sessions")`);
      return 1;
    }
    const prices = mergePriceTables(DEFAULT_PRICE_TABLE, readWorkspaceSettings(ctx.workspace)['logbook.report.prices'] as PriceTableOverrides | undefined);
    const { report, problems } = await loadSessionReport(summarizeSession(events), prices);
    for (const problem of problems) ctx.io.err(problem);
    ctx.io.out(JSON.stringify(report, null, 2));
    return 0;
  } finally {
    opened.database.close();
  }
}
