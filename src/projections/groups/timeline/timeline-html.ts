import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GroupTimelineModel, StaticGroupTimelineData } from '../../../protocol/group-timeline';
import { encodeGroupTimeline } from '../../../protocol/group-timeline-wire';
import { renderBundlePage } from '../../report-html';
import type { ReportAssets } from '../../report-html';

// The unified timeline as ONE self-contained HTML file (`logbook timeline G --html FILE`): the
// webview's own renderer (dist/webview/group-timeline.js, inlined) over the model embedded as
// JSON in its wire form, on the report export's page (report-html.ts: nothing loaded from anywhere, the CSP
// allowing exactly the inlined script and stylesheet; event text cannot leave the data block).

/** The bundle the page runs: dist/webview/<GROUP_TIMELINE_VIEW>.js and .css. */
export const GROUP_TIMELINE_VIEW = 'group-timeline';

/** The page's code and styles, read from a built dist/webview folder. */
export type GroupTimelineAssets = ReportAssets;

export interface GroupTimelineHtmlOptions {
  readonly assets: GroupTimelineAssets;
  /** The page's title (default: "Timeline of <group label>"). */
  readonly title?: string;
  /** Marks <body data-bench>: the page writes its first frame's time into document.title. */
  readonly bench?: boolean;
}

/** Reads the renderer from a built dist/webview folder (the CLI passes the one beside dist/cli.js). */
export function readGroupTimelineAssets(webviewDir: string): GroupTimelineAssets {
  const file = (name: string): string => join(webviewDir, name);
  const script = file(`${GROUP_TIMELINE_VIEW}.js`);
  if (!existsSync(script)) throw new Error(`the timeline renderer is not built (${script} is missing): run "npm run build"`);
  const css = file(`${GROUP_TIMELINE_VIEW}.css`);
  return { script: readFileSync(script, 'utf8'), styles: [readFileSync(file('webview.css'), 'utf8'), existsSync(css) ? readFileSync(css, 'utf8') : ''] };
}

/** The first of these folders that holds a built timeline renderer. */
export function findGroupTimelineWebviewDir(candidates: readonly string[]): string {
  return candidates.find((dir) => existsSync(join(dir, `${GROUP_TIMELINE_VIEW}.js`))) ?? candidates[0] ?? 'dist/webview';
}

/** The exported file's text. */
export function groupTimelineHtml(model: GroupTimelineModel, options: GroupTimelineHtmlOptions): string {
  const data: StaticGroupTimelineData = { format: 'agent-logbook-group-timeline', version: 2, timeline: encodeGroupTimeline(model) };
  return renderBundlePage({
    view: GROUP_TIMELINE_VIEW, title: options.title ?? `Timeline of ${model.label}`, dataId: 'group-timeline-data', data, assets: options.assets,
    ...(options.bench === true ? { flags: ['data-bench'] } : {}),
  });
}
