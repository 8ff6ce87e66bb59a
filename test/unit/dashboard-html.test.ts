import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { parse } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';
import { overviewOf } from '../../src/projections/overview/session-overview';
import type { SessionOverview } from '../../src/projections/overview/session-overview';
import { summarizeSession } from '../../src/projections/session-summary';
import { renderDashboardHtml } from '../../src/projections/dashboard-html/page';
import { SORT_SCRIPT } from '../../src/projections/dashboard-html/page-assets';
import type { ExportedSession } from '../../src/projections/dashboard-html/session-table';

// The dashboard's HTML export (src/projections/dashboard-html/), read back by a real HTML parser
// (parse5, as a browser parses): hostile titles, branches and state names are text, never markup;
// the CSP allows only the inlined script and stylesheet, by their hashes; nothing is loaded from
// anywhere; every selected session is in the table; the trends and their regressions are there;
// and the inlined script sorts the table's rows.

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const DAY = 86_400_000;
const T0 = new Date(2026, 2, 2, 12).getTime();

function session(id: string, at: number, extra: Partial<SessionOverview> = {}, costUsd = 0.5): ExportedSession {
  const row = { ...overviewOf(summarizeSession([]), id), ended: true, firstEventAt: at, lastEventAt: at + 600_000, ...extra };
  return { row, status: 'ended', durationMs: 600_000, tokens: 1234, costUsd };
}

const HOSTILE = [
  '<script>window.pwned = 1</script>',
  '"><img src=x onerror="window.pwned = 2">',
  '</style><style>body{display:none}</style>',
  '\u202Egnp.exe\u202C שלום عالم',
  '<!-- a comment --> ]]> &amp; &lt;',
];

function elements(node: Node, into: Element[] = []): Element[] {
  if ('tagName' in node) into.push(node);
  if ('childNodes' in node) for (const child of node.childNodes) elements(child, into);
  if ('content' in node && node.content !== undefined) elements(node.content, into);
  return into;
}

function textOf(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  return 'childNodes' in node ? node.childNodes.map(textOf).join('') : '';
}

const attr = (e: Element, name: string): string | undefined => e.attrs.find((a) => a.name === name)?.value;
const sha = (text: string): string => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;

test('hostile titles, branches, tags and state names are text in the page; a 100 KB title is cut; right-to-left text is isolated', () => {
  const long = `${'x'.repeat(100_000)}<b>end</b>`;
  const sessions = [
    ...HOSTILE.map((title, i) => session(`hostile-${i}`, T0 + i * 1000, { title, branch: title, workflow: title, workflowState: title, tags: [title], model: title, workflowMs: { [title]: 60_000, ['__proto__']: 1000 } })),
    session('long-title', T0 + DAY, { title: long }),
  ];
  const html = renderDashboardHtml({ sessions, by: 'day', now: T0 + 2 * DAY, selection: '<script>alert(1)</script>' });
  const all = elements(parse(html));
  assert.deepEqual(all.filter((e) => e.tagName === 'script').length, 1, 'the one inlined script, no other');
  assert.deepEqual(all.filter((e) => e.tagName === 'style').length, 1, 'the one inlined stylesheet');
  assert.equal(all.filter((e) => ['img', 'b', 'iframe', 'object', 'link'].includes(e.tagName)).length, 0, 'no element came from a title');
  assert.ok(all.every((e) => e.attrs.every((a) => !a.name.startsWith('on'))), 'no event handler attribute');

  const rows = all.filter((e) => e.tagName === 'tr' && attr(e, 'data-session') !== undefined);
  for (const [i, title] of HOSTILE.entries()) {
    const row = rows.find((r) => attr(r, 'data-session') === `hostile-${i}`);
    assert.ok(row !== undefined, `hostile-${i} has its row`);
    const cells = elements(row).filter((e) => e.tagName === 'td');
    assert.equal(textOf(cells[0] as Node), title, 'the title reads as it was written');
    assert.equal(attr(cells[0] as Element, 'dir'), 'auto', 'a right-to-left title reads right to left, isolated');
    assert.ok(cells.some((c) => textOf(c) === title && c !== cells[0]), 'the branch too');
  }
  const legend = all.filter((e) => e.tagName === 'ul').map(textOf).join('\n');
  for (const title of HOSTILE) assert.ok(legend.includes(title), `the workflow state ${JSON.stringify(title)} is named in the legend as text`);

  const longRow = rows.find((r) => attr(r, 'data-session') === 'long-title') as Element;
  const titleCell = elements(longRow).find((e) => e.tagName === 'td') as Element;
  assert.equal(textOf(titleCell), `${'x'.repeat(300)}…`, 'cut to 300 characters, and says so');
  assert.equal(attr(titleCell, 'title')?.length, 2001, 'the tooltip holds the first 2,000');
  assert.ok(html.length < 200_000, `the page stays small: ${html.length} characters`);
});

test('the CSP allows exactly the inlined script and stylesheet by hash, and the page names no resource to load', () => {
  const sessions = [session('a', T0), session('b', T0 + DAY)];
  const html = renderDashboardHtml({ sessions, by: 'week', now: T0 + 2 * DAY, selection: 'logbook sessions --html' });
  const all = elements(parse(html));
  const meta = all.find((e) => e.tagName === 'meta' && attr(e, 'http-equiv') === 'Content-Security-Policy');
  const csp = attr(meta as Element, 'content') ?? '';
  const script = textOf(all.find((e) => e.tagName === 'script') as Element);
  const style = textOf(all.find((e) => e.tagName === 'style') as Element);
  assert.match(csp, /(^|; )default-src 'none'(;|$)/);
  assert.ok(csp.includes(`script-src '${sha(script)}'`), 'the script, by its hash');
  assert.ok(csp.includes(`style-src '${sha(style)}'`), 'the stylesheet, by its hash');
  assert.doesNotMatch(csp, /unsafe|https?:|\*/, 'nothing looser');
  assert.equal(script, SORT_SCRIPT);
  assert.doesNotMatch(html, /https?:|\/\/[a-z]/i, 'no address anywhere');
  assert.ok(all.every((e) => attr(e, 'src') === undefined && attr(e, 'href') === undefined), 'no src, no href');
  assert.doesNotMatch(style, /url\(|@import/, 'the stylesheet loads nothing');
  assert.ok(all.every((e) => attr(e, 'style') === undefined), 'no style attribute (the CSP would block it)');
});

test('every selected session is in the table, in the order given; the trends show their numbers and name a regression', () => {
  const sessions: ExportedSession[] = [];
  for (let day = 0; day < 5; day += 1) for (let n = 0; n < 3; n += 1) sessions.push(session(`d${day}-${n}`, T0 + day * DAY + n * 1000, {}, day === 4 ? 1 : 0.5));
  const html = renderDashboardHtml({ sessions, by: 'day', now: T0 + 6 * DAY, selection: 'all' });
  const all = elements(parse(html));
  const ids = all.filter((e) => e.tagName === 'tr' && attr(e, 'data-session') !== undefined).map((e) => attr(e, 'data-session'));
  assert.deepEqual(ids, sessions.map((s) => s.row.sessionId));
  const bars = all.filter((e) => e.tagName === 'g' && attr(e, 'class')?.startsWith('bar') === true);
  assert.deepEqual(bars.map((b) => textOf(elements(b).find((e) => e.tagName === 'text' && attr(e, 'class') === 'count') as Element)), ['3', '3', '3', '3', '3'], 'each bar with its number');
  assert.deepEqual(bars.map((b) => attr(b, 'class')), ['bar', 'bar', 'bar', 'bar', 'bar regressed'], 'the jump of cost marked on its day');
  const numbers = textOf(all.find((e) => e.tagName === 'table' && attr(e, 'class') === 'numbers') as Element);
  assert.match(numbers, /▲ cost per session \$1\.00 vs \$0\.500 \(\+100%\) against the 4 days before \(12 sessions\)/);
});

/** A DOM as small as the sorting script needs: a table of rows of cells with attributes and text. */
function fakeTable(header: { text: string; numeric: boolean }[], rows: { id: string; cells: { text: string; v?: string }[] }[]) {
  const attributes = (initial: Record<string, string>) => {
    const map = new Map(Object.entries(initial));
    return { getAttribute: (n: string) => map.get(n) ?? null, setAttribute: (n: string, v: string) => { map.set(n, v); }, map };
  };
  const listeners: ((e: unknown) => void)[][] = [];
  const heads = header.map((h, i) => ({ ...attributes(h.numeric ? { 'data-type': 'num', 'aria-sort': 'none' } : { 'aria-sort': 'none' }), textContent: h.text, tabIndex: -1, title: '', addEventListener: (type: string, f: (e: unknown) => void) => { if (type === 'click') (listeners[i] ??= []).push(f); } }));
  const body = {
    rows: rows.map((r) => ({ id: r.id, cells: r.cells.map((c) => ({ ...attributes(c.v === undefined ? {} : { 'data-v': c.v }), textContent: c.text })) })),
    appendChild(fragment: { items: unknown[] }) { this.rows = fragment.items as typeof this.rows; },
  };
  const table = { tHead: { rows: [{ cells: heads }] }, tBodies: [body] };
  const document = { getElementById: (id: string) => (id === 'sessions' ? table : null), createDocumentFragment: () => ({ items: [] as unknown[], appendChild(x: unknown) { this.items.push(x); } }) };
  return { document, click: (i: number) => { for (const f of listeners[i] ?? []) f({}); }, order: () => body.rows.map((r) => r.id), heads };
}

test('the inlined script sorts the rows by a clicked header: numbers largest first (unknown last), then smallest; text A to Z, then Z to A', () => {
  const dom = fakeTable([{ text: 'Title', numeric: false }, { text: 'Cost', numeric: true }], [
    { id: 'a', cells: [{ text: 'beta' }, { text: '$2', v: '2' }] },
    { id: 'b', cells: [{ text: 'alpha' }, { text: '', v: '' }] },
    { id: 'c', cells: [{ text: 'gamma' }, { text: '$10', v: '10' }] },
  ]);
  runInNewContext(SORT_SCRIPT, { document: dom.document, Array, Number });
  dom.click(1);
  assert.deepEqual(dom.order(), ['c', 'a', 'b'], 'by number, not by text ("10" > "2"), the unknown last');
  assert.equal(dom.heads[1]?.getAttribute('aria-sort'), 'descending');
  dom.click(1);
  assert.deepEqual(dom.order(), ['a', 'c', 'b'], 'then smallest first, the unknown still last');
  dom.click(0);
  assert.deepEqual(dom.order(), ['b', 'a', 'c']);
  assert.deepEqual([dom.heads[0]?.getAttribute('aria-sort'), dom.heads[1]?.getAttribute('aria-sort')], ['ascending', 'none']);
  dom.click(0);
  assert.deepEqual(dom.order(), ['c', 'a', 'b']);
});
