import { createHash } from 'node:crypto';
import type { EmbeddedEvent, StaticReportData } from '../protocol/report';
import { searchableText } from '../store/searchable-text';
import type { RecordedEvent } from '../store/event-store';
import { eventDetail } from './event-detail';
import type { EventRow } from './event-log';
import { foldText } from './event-log';
import type { Insight } from './insights';
import type { SessionReport } from './report';
import { STATIC_THEME_CSS } from './report-html-theme';
import type { TimelineModel } from './timeline';

// The session report as ONE self-contained HTML file: the webview's own renderer (its bundle,
// inlined) in static mode, with the data embedded as JSON. Nothing is loaded from anywhere; the
// CSP allows exactly the inlined script and stylesheet (by hash) and data: fonts. Event text
// cannot break out of the data block: every `<` in the JSON is written as \u003c.

/** The default cap on events embedded in one file (each with its JSON, for the detail pane). */
export const MAX_EMBEDDED_EVENTS = 5000;
/** Characters of each embedded event's data JSON (the detail pane says when it was cut). */
const EMBEDDED_DETAIL_CHARS = 16_000;
/** Characters of each embedded event's searchable text. */
const EMBEDDED_TEXT_CHARS = 4000;

export interface StaticReportInput {
  readonly key: string;
  readonly report: SessionReport;
  readonly timeline: TimelineModel;
  readonly insights: readonly Insight[];
  readonly prompt: string;
  readonly rows: readonly EventRow[];
  /** The session's events (the rows' events; others are ignored). */
  readonly events: readonly RecordedEvent[];
  readonly maxEvents?: number;
}

/** The data of an export. Over the cap, events with an outcome come first, then the earliest others. */
export function buildStaticReport(input: StaticReportInput): StaticReportData {
  const max = input.maxEvents ?? MAX_EMBEDDED_EVENTS;
  const rows = chooseRows(input.rows, max);
  const byPosition = new Map(input.events.map((e) => [e.globalPosition, e]));
  const events = rows.flatMap((row): EmbeddedEvent[] => {
    const event = byPosition.get(row.position);
    if (event === undefined) return [];
    return [{ row, detail: eventDetail(event, EMBEDDED_DETAIL_CHARS), text: foldText(searchableText(event.type, event.data).slice(0, EMBEDDED_TEXT_CHARS)) }];
  });
  const capped = events.length < input.rows.length;
  return {
    format: 'agent-logbook-report',
    version: 1,
    key: input.key,
    title: `Session report ${input.key}`,
    revision: input.report.lastPosition,
    report: input.report,
    timeline: input.timeline,
    insights: input.insights,
    prompt: input.prompt,
    note: capped
      ? `This file embeds ${events.length} of the session's ${input.rows.length} events (every event with an outcome first, then the earliest others): the event log, its counts and facets cover those only. The overview, timeline and insights cover the whole session; "logbook events --session ${input.key}" lists every event.`
      : null,
    totalEvents: input.rows.length,
    events,
  };
}

function chooseRows(rows: readonly EventRow[], max: number): EventRow[] {
  if (rows.length <= max) return [...rows];
  const notable = rows.filter((r) => r.outcome !== 'none' && r.outcome !== 'ok').slice(0, Math.floor(max / 2));
  const taken = new Set(notable.map((r) => r.position));
  const rest = rows.filter((r) => !taken.has(r.position)).slice(0, max - notable.length);
  return [...notable, ...rest].sort((a, b) => a.position - b.position);
}

/** The page's code and styles (from dist/webview), inlined as they are. */
export interface ReportAssets {
  readonly script: string;
  readonly styles: readonly string[];
}

/** The exported file's text. */
export function renderReportHtml(data: StaticReportData, assets: ReportAssets): string {
  return renderBundlePage({ view: 'report', title: data.title, dataId: 'report-data', data, assets });
}

/** A page that runs a webview's own bundle over data embedded as JSON (the report, the unified timeline). */
export interface BundlePage {
  /** The webview's name: `<body data-view>`, which its bundle reads. */
  readonly view: string;
  readonly title: string;
  /** The id of the JSON data element the bundle reads. */
  readonly dataId: string;
  readonly data: unknown;
  readonly assets: ReportAssets;
  /** Extra attributes of <body>, names only (e.g. data-bench). */
  readonly flags?: readonly string[];
}

/**
 * One self-contained HTML file: the bundle and styles inlined, the data embedded, nothing loaded
 * from anywhere. The CSP allows exactly the inlined script and stylesheet, by their hash.
 */
export function renderBundlePage(page: BundlePage): string {
  const script = inlineScript(page.assets.script);
  const style = [STATIC_THEME_CSS, ...page.assets.styles].join('\n').replace(/<\/(style)/gi, '<\\/$1');
  const csp = [
    "default-src 'none'",
    `script-src '${sha256(script)}'`,
    `style-src '${sha256(style)}'`,
    'font-src data:',
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const flags = (page.flags ?? []).map((f) => ` ${f}`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="Agent Logbook">
<title>${escapeHtml(page.title)}</title>
<style>${style}</style>
</head>
<body data-view="${page.view}" data-mode="static"${flags}>
<div id="app"></div>
<script type="application/json" id="${page.dataId}">${embedJson(page.data)}</script>
<script>${script}</script>
</body>
</html>
`;
}

/** JSON that stays inside its <script> element: no `<` at all, so no `</script>` and no `<!--`. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

// A bundle in an inline <script> ends at the first `</script`, and `<!--` changes how the parser
// reads it. Both can only sit in literals or comments, where these escapes mean the same thing.
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\u0021--');
}

/** A CSP source allowing exactly this inline script or style. */
export function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

/** Text for an HTML element or attribute value (titles: the only strings spliced into page markup). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
