import type { TrendPeriod } from '../../protocol/trends';
import { escapeHtml, sha256 } from '../report-html';
import { trendsOfListings } from '../trends/build-trends';
import { DASHBOARD_CSS, SORT_SCRIPT } from './page-assets';
import { sessionTableHtml } from './session-table';
import type { ExportedSession } from './session-table';
import { trendsHtml } from './trend-charts';

// The Sessions dashboard as ONE self-contained HTML file (the dashboard's "Export HTML", and
// `logbook sessions --html`): the selected sessions as a table, their trends as charts with the
// numbers beside them and the regressions named. Nothing is loaded from anywhere. The CSP allows
// exactly the inlined stylesheet and the sorting script, by hash: no other script can run, not
// even one a hostile title smuggled in (every text is escaped anyway). The table is whole without
// the script (a mail client or a locked-down viewer), sorted as exported; with it, sortable.

export interface DashboardHtmlInput {
  readonly sessions: readonly ExportedSession[];
  readonly by: TrendPeriod;
  /** When the export is made: decides which sessions are still live, and is printed. */
  readonly now: number;
  /** What was selected, in words: the command line, or the dashboard's filters. */
  readonly selection: string;
}

/** The exported file's text. */
export function renderDashboardHtml(input: DashboardHtmlInput): string {
  const trends = trendsOfListings(input.sessions, { by: input.by, now: input.now });
  const csp = [
    "default-src 'none'",
    `script-src '${sha256(SORT_SCRIPT)}'`,
    `style-src '${sha256(DASHBOARD_CSS)}'`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const count = input.sessions.length;
  const title = `Agent Logbook: ${count.toLocaleString('en-US')} session${count === 1 ? '' : 's'}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="Agent Logbook">
<title>${escapeHtml(title)}</title>
<style>${DASHBOARD_CSS}</style>
</head>
<body data-view="dashboard-export">
<header>
<h1>${escapeHtml(title)}</h1>
<p class="muted">Exported ${escapeHtml(new Date(input.now).toISOString())} · <span class="selection">${escapeHtml(input.selection)}</span></p>
</header>
<section aria-label="Trends">
<h2>Trends per ${input.by}</h2>
${trendsHtml(trends)}
</section>
<section aria-label="Sessions">
<h2>Sessions</h2>
${sessionTableHtml(input.sessions)}
</section>
<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
}
