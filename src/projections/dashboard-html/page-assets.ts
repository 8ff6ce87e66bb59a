// The exported dashboard's stylesheet and script, inlined and allowed by hash (page.ts). The
// script only sorts the table: a click (or Enter) on a header reorders the rows by that column,
// numbers by their data-v, text by the reader's locale. It reads text with textContent and moves
// existing rows: it never writes markup. Plain ES5, so any browser that opens the file runs it.

export const DASHBOARD_CSS = `
:root { color-scheme: light dark; --fg: #3b3b3b; --muted: #717171; --bg: #ffffff; --line: #e5e5e5; --hover: #f2f2f2; --bad: #c72e0f; --accent: #005fb8; }
@media (prefers-color-scheme: dark) { :root { --fg: #cccccc; --muted: #9d9d9d; --bg: #1f1f1f; --line: #313131; --hover: #2a2d2e; --bad: #f14c4c; --accent: #4daafc; } }
body { margin: 16px 24px; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 20px 0 6px; }
.muted { color: var(--muted); }
.selection { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; unicode-bidi: plaintext; }
figure.chart { margin: 8px 0 12px; overflow-x: auto; }
figcaption { color: var(--muted); margin-bottom: 2px; }
svg.bars .count { font-size: 8px; fill: var(--muted); text-anchor: middle; }
svg.bars .mark { font-size: 9px; fill: var(--bad); text-anchor: middle; }
svg.bars .plain { fill: var(--muted); }
svg.bars g.bar:hover rect { stroke: var(--accent); stroke-width: 1; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 0; margin: 4px 0 0; }
table { border-collapse: collapse; }
th, td { padding: 2px 8px; text-align: left; vertical-align: top; }
td, th[scope=row] { border-top: 1px solid var(--line); }
th[scope=row] { white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.numbers td.notes { color: var(--bad); }
table.numbers tr.total th, table.numbers tr.total td { font-weight: 600; }
tr.regressed th[scope=row] { color: var(--bad); }
table.sessions thead th { position: sticky; top: 0; background: var(--bg); cursor: pointer; user-select: none; white-space: nowrap; border-bottom: 1px solid var(--line); }
table.sessions thead th:focus-visible { outline: 1px solid var(--accent); }
table.sessions thead th[aria-sort=ascending]::after { content: " \\25B2"; }
table.sessions thead th[aria-sort=descending]::after { content: " \\25BC"; }
table.sessions tbody tr:hover { background: var(--hover); }
table.sessions td { max-width: 420px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; unicode-bidi: isolate; }
table.sessions td[dir=auto] { unicode-bidi: plaintext; }
`;

export const SORT_SCRIPT = `(function () {
  var table = document.getElementById('sessions');
  if (!table || !table.tHead || !table.tBodies[0]) return;
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function key(row, i) {
    var cell = row.cells[i];
    var v = cell.getAttribute('data-v');
    return v === null ? cell.textContent : v;
  }
  function sortBy(i) {
    var head = heads[i];
    var numeric = head.getAttribute('data-type') === 'num';
    var dir = head.getAttribute('aria-sort') === (numeric ? 'descending' : 'ascending') ? -1 : 1;
    if (numeric) dir = -dir;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (x, y) {
      var a = key(x, i), b = key(y, i);
      if (numeric) {
        if (a === '' || b === '') return a === b ? 0 : a === '' ? 1 : -1;
        return dir * (Number(a) - Number(b));
      }
      return dir * a.localeCompare(b);
    });
    for (var j = 0; j < heads.length; j++) heads[j].setAttribute('aria-sort', 'none');
    head.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
    var fragment = document.createDocumentFragment();
    for (var k = 0; k < rows.length; k++) fragment.appendChild(rows[k]);
    body.appendChild(fragment);
  }
  for (var i = 0; i < heads.length; i++) {
    (function (i) {
      heads[i].tabIndex = 0;
      heads[i].title = 'Sort by this column';
      heads[i].addEventListener('click', function () { sortBy(i); });
      heads[i].addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(i); } });
    })(i);
  }
})();`;
