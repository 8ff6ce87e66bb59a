import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GroupTimelineModel, StaticGroupTimelineData } from '../../../protocol/group-timeline';
import { embedJson, escapeHtml, sha256 } from '../../report-html';
import { STATIC_THEME_CSS } from '../../report-html-theme';

// The unified timeline as ONE self-contained HTML file (`logbook timeline G --html FILE`): the
// webview's own renderer (dist/webview/group-timeline.js, inlined) over the model embedded as
// JSON, as the report's export does (report-html.ts). Nothing is loaded from anywhere. The CSP
// allows exactly the inlined script and stylesheet, by a nonce fresh for each file and by their
// hash; event text cannot leave the data block (every `<` in the JSON is written as \u003c).

/** The bundle the page runs: dist/webview/<GROUP_TIMELINE_VIEW>.js and .css. */
export const GROUP_TIMELINE_VIEW = 'group-timeline';

/** The page's code and styles, read from a built dist/webview folder. */
export interface GroupTimelineAssets {
  readonly script: string;
  readonly styles: readonly string[];
}

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
  const nonce = randomBytes(18).toString('base64');
  const script = inlineScript(options.assets.script);
  const style = [STATIC_THEME_CSS, ...options.assets.styles].join('\n').replace(/<\/(style)/gi, '<\\/$1');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' '${sha256(script)}'`,
    `style-src 'nonce-${nonce}' '${sha256(style)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const data: StaticGroupTimelineData = { format: 'agent-logbook-group-timeline', version: 1, model };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="Agent Logbook">
<title>${escapeHtml(options.title ?? `Timeline of ${model.label}`)}</title>
<style nonce="${nonce}">${style}</style>
</head>
<body data-view="${GROUP_TIMELINE_VIEW}" data-mode="static"${options.bench === true ? ' data-bench' : ''}>
<div id="app"></div>
<script type="application/json" id="group-timeline-data">${embedJson(data)}</script>
<script nonce="${nonce}">${script}</script>
</body>
</html>
`;
}

// As report-html.ts: an inline bundle ends at the first `</script`, and `<!--` changes how it is parsed.
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\u0021--');
}
