import { join, relative, resolve } from 'node:path';
import { logbookPaths } from '../capture/paths';
import { loadSessionReport } from '../read/session-report';
import { summarizeSession } from '../projections/session-summary';
import type { PriceTable } from '../projections/pricing';
import type { RecordedEvent } from '../store/event-store';
import { writeFileDurably } from '../store/durable-file';
import { exportSessionHtml, findWebviewDir, readReportAssets } from '../views/report/export-file';
import { workspacePrices } from './session-filters';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import { flagRule, optional, positional, sessionRule, writableFileRule } from './option-rules';
import { openStore } from './store-snapshot';

const REPORT_OPTIONS = {
  session: described(positional(0, '<session>', sessionRule, 'name the session (see "logbook sessions")'), 'the session (see "logbook sessions")'),
  json: described(flagRule, 'print the report as JSON'),
  html: described(optional(writableFileRule), 'write the report as one self-contained HTML page', 'FILE'),
};

/**
 * `logbook report <session> --json`: the session summary, with tokens and cost from its usage events.
 * `logbook report <session> --html FILE`: the whole report as one self-contained HTML file.
 */
export const reportCommand = defineCommand(REPORT_OPTIONS, async (ctx, { session, json, html }) => {
  const paths = logbookPaths(ctx.workspace);
  const database = await openStore(paths);
  if (database === undefined) {
    ctx.io.err(`no store yet at ${relative(ctx.workspace, paths.store)}: run "logbook ingest"`);
    return 1;
  }
  try {
    const events = database.store.readStream(session);
    if (events.length === 0) {
      ctx.io.err(`no session ${JSON.stringify(session)} in the store (see "logbook sessions")`);
      return 1;
    }
    const prices = workspacePrices(ctx.workspace);
    return html === undefined ? printJson(ctx, events, prices) : await writeHtml(ctx, session, events, prices, resolve(html));
  } finally {
    database.close();
  }
}, ({ json, html }) => {
  if (json && html !== undefined) return 'choose one of --json and --html';
  if (!json && html === undefined) return 'choose --json (print the report) or --html FILE (write it as a web page)';
  return undefined;
});

function printJson(ctx: CliContext, events: readonly RecordedEvent[], prices: PriceTable): number {
  const report = loadSessionReport(summarizeSession(events), events, prices);
  ctx.io.out(JSON.stringify(report, null, 2));
  return 0;
}

async function writeHtml(ctx: CliContext, session: string, events: readonly RecordedEvent[], prices: PriceTable, out: string): Promise<number> {
  // dist/cli.js finds dist/webview beside it; run from source (tests), the built one at the root.
  const assets = readReportAssets(findWebviewDir([join(__dirname, 'webview'), join(__dirname, '..', '..', 'dist', 'webview')]));
  const exported = await exportSessionHtml(session, events, prices, assets);
  // Written beside it and renamed over it: private (0600) even over an older file, never through a link planted at its name.
  writeFileDurably(out, exported.html, 0o600);
  const capped = exported.embedded < exported.total ? ` (${exported.embedded} of ${exported.total} events embedded)` : '';
  ctx.io.out(`wrote ${out}${capped}`);
  return 0;
}
