import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UsageRecordedData } from '../../src/domain/usage/events';
import { listingOf, parseWhere, querySessions } from '../../src/projections/overview/session-query';
import type { SessionListing } from '../../src/projections/overview/session-query';
import { overviewOf } from '../../src/projections/overview/session-overview';
import type { SessionOverview } from '../../src/projections/overview/session-overview';
import { DEFAULT_PRICE_TABLE, mergePriceTables } from '../../src/projections/pricing';
import { summarizeSession } from '../../src/projections/session-summary';
import { parseWebviewMessage } from '../../src/protocol/channel';
import { dashboardHostMessage, dashboardWebviewMessage, FIRST_PAGE_ROWS } from '../../src/protocol/dashboard';
import type { DashboardRow } from '../../src/protocol/dashboard';
import { EMPTY_FILTER, NONE, selectable, selectRows } from '../../src/protocol/dashboard-select';
import type { DashboardFilter } from '../../src/protocol/dashboard-select';
import type { RecordedEvent } from '../../src/store/event-store';
import { csvCell, exportCsv, exportJson } from '../../src/views/dashboard/export-text';
import { dashboardRow, dashboardRows, deltaOf, rowKey } from '../../src/views/dashboard/rows';

// The Sessions dashboard's pure parts: rows shaped from overview rows (as `logbook sessions` derives
// them), the messages both ways, the filters (querySessions' rules) and the CSV/JSON export.

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
let position = 0;
function recorded(streamId: string, type: string, data: unknown, at: number): RecordedEvent {
  position += 1;
  return {
    globalPosition: position, streamId, streamPosition: position, eventId: `e${position}`, type, schemaVersion: 1,
    recordedAt: new Date(at).toISOString(), correlationId: null, causationId: null, data, metadata: { receivedAt: new Date(at).toISOString() },
  };
}

function usage(key: string, output: number, extra: Partial<UsageRecordedData> = {}): UsageRecordedData {
  return {
    key, messageId: key, requestId: null, model: 'claude-opus-4-5', agentId: 'main', inputTokens: 1000, outputTokens: output,
    cacheCreationInputTokens: 0, cacheCreation1hInputTokens: 0, cacheReadInputTokens: 0, fast: false, at: null, file: 't.jsonl', line: 1, ...extra,
  };
}

/** A session folded from hook events: a prompt, a failing tool, usage on a branch, an end. */
function foldedOverview(id: string, prompt: string): SessionOverview {
  const events = [
    recorded(id, 'SessionStart', { session_id: id, source: 'startup', model: 'claude-opus-4-5' }, T0),
    recorded(id, 'UserPromptSubmit', { session_id: id, prompt }, T0 + 1000),
    recorded(id, 'PreToolUse', { session_id: id, tool_name: 'Read', tool_input: { file_path: '/x' }, tool_use_id: 't1' }, T0 + 2000),
    recorded(id, 'PostToolUseFailure', { session_id: id, tool_name: 'Read', tool_input: { file_path: '/x' }, tool_use_id: 't1', error: 'missing' }, T0 + 3000),
    recorded(id, 'UsageRecorded', usage('m1', 500, { gitBranch: 'feat/export' }), T0 + 4000),
    recorded(id, 'SessionEnd', { session_id: id, reason: 'exit' }, T0 + 60_000),
  ];
  return overviewOf(summarizeSession(events), id);
}

/** An overview row with the given fields (the rest zero or unknown). */
function overview(id: string, fields: Partial<SessionOverview> = {}): SessionOverview {
  return {
    sessionId: id, title: null, branch: null, workflow: null, workflowState: null, workflowHash: null, lifecycleState: 'ended', ended: true,
    endReason: 'exit', model: null, transcriptPath: null, firstEventAt: T0, lastEventAt: T0 + 60_000, lastPosition: 1, events: 1, prompts: 0,
    toolCalls: 0, toolFailures: 0, denials: 0, rejections: 0, refusals: 0, iterations: 0, transitions: 0, compactions: 0, subagents: 0,
    filesTouched: 0, journalEntries: 0, tags: [], importedEvents: 0, lifecycleMs: { idle: 5 }, workflowMs: {}, usage: { buckets: {} }, ...fields,
  };
}

const NOW = T0 + 3_600_000;
const source = { folder: '/work/a', workspace: 'a' };

test('a dashboard row carries what listingOf derives (status, duration, tokens, cost with the set prices), without the token buckets', () => {
  const o = foldedOverview('s-1', 'Add the <b>export</b> button');
  const prices = mergePriceTables(DEFAULT_PRICE_TABLE, { 'claude-opus-4-5': { inputPerMTok: 1000 } });
  const row = dashboardRow(source, o, NOW, prices);
  const listing = listingOf(o, NOW, prices);
  assert.equal(row.key, rowKey('/work/a', 's-1'));
  assert.equal(row.workspace, 'a');
  assert.equal(row.row.title, 'Add the <b>export</b> button');
  assert.equal(row.row.branch, 'feat/export');
  assert.equal(row.row.toolFailures, 1);
  assert.equal(row.status, listing.status);
  assert.equal(row.durationMs, 60_000);
  assert.equal(row.tokens, listing.tokens);
  assert.ok(row.tokens > 0);
  assert.equal(row.costUsd, listing.costUsd);
  assert.ok(row.costUsd > listingOf(o, NOW).costUsd, 'the overridden (dearer) input price is used');
  for (const heavy of ['usage', 'transcriptPath', 'lastPosition']) assert.ok(!(heavy in row.row), `${heavy} stays on the host`);
  // What the webview's trends need: the time per state and which workflow definition ran.
  assert.deepEqual([row.row.lifecycleMs, row.row.workflowMs, row.row.workflowHash], [o.lifecycleMs, o.workflowMs, o.workflowHash]);
});

test('rows of several workspaces are keyed apart and listed newest first', () => {
  const rows = dashboardRows([
    { folder: '/work/a', workspace: 'a', rows: [overview('same', { firstEventAt: T0 }), overview('old', { firstEventAt: T0 - 1000 })] },
    { folder: '/work/b', workspace: 'b', rows: [overview('same', { firstEventAt: T0 + 1000 })] },
  ], NOW, DEFAULT_PRICE_TABLE);
  assert.deepEqual(rows.map((r) => `${r.workspace}/${r.row.sessionId}`), ['b/same', 'a/same', 'a/old']);
  assert.equal(new Set(rows.map((r) => r.key)).size, 3);
});

test('a first page holds the newest sessions of every workspace, as many as asked, in the order of the whole list', () => {
  const sources = [
    { folder: '/work/a', workspace: 'a', rows: Array.from({ length: 150 }, (_, i) => overview(`a-${i}`, { firstEventAt: T0 + i * 2 })) },
    { folder: '/work/b', workspace: 'b', rows: Array.from({ length: 150 }, (_, i) => overview(`b-${i}`, { firstEventAt: T0 + i * 2 + 1 })) },
  ];
  const whole = dashboardRows(sources, NOW, DEFAULT_PRICE_TABLE);
  const page = dashboardRows(sources, NOW, DEFAULT_PRICE_TABLE, FIRST_PAGE_ROWS);
  assert.equal(page.length, FIRST_PAGE_ROWS);
  assert.deepEqual(page.map((r) => r.key), whole.slice(0, FIRST_PAGE_ROWS).map((r) => r.key));
  assert.deepEqual(page.slice(0, 2).map((r) => r.row.sessionId), ['b-149', 'a-149']);
});

test('the host\'s state and delta messages pass the protocol\'s schema', () => {
  const rows = dashboardRows([{ ...source, rows: [foldedOverview('s-1', 'שלום <script>x</script>'), overview('s-2', { firstEventAt: null, lastEventAt: null, tags: ['bug'] })] }], NOW, DEFAULT_PRICE_TABLE);
  const state = dashboardHostMessage.safeParse({ type: 'state', state: { key: 'all', workspaces: ['a'], rows, at: NOW, timings: false, complete: true, total: rows.length, groups: [] } });
  assert.ok(state.success, state.success ? '' : state.error.message);
  const rowsOf = new Map([['s-1', foldedOverview('s-1', 'changed')]]);
  const delta = deltaOf([{ workspace: { paths: { workspace: '/work/a' }, name: 'a', overview: () => rowsOf }, sessions: new Set(['s-1', 'gone']) }], NOW, DEFAULT_PRICE_TABLE);
  assert.deepEqual(delta.upsert.map((r) => r.row.title), ['changed']);
  assert.deepEqual(delta.remove, [rowKey('/work/a', 'gone')], 'a session no longer in the overview is removed');
  const parsed = dashboardHostMessage.safeParse({ type: 'delta', delta });
  assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
  assert.equal(dashboardHostMessage.safeParse({ type: 'state', state: { key: 'all', workspaces: [], rows: [{ ...rows[0], costUsd: -1 }], at: NOW, timings: false, complete: true, total: 1, groups: [] } }).success, false, 'a negative cost is refused');
  const rest = dashboardHostMessage.safeParse({ type: 'delta', delta: { upsert: rows, remove: [], at: NOW, rest: true } });
  assert.ok(rest.success, 'the answer to `rest` is a delta marked rest');
  const found = dashboardHostMessage.safeParse({ type: 'delta', delta: { upsert: [], remove: [], at: NOW, prompts: { text: 'zebra', keys: [rowKey('/work/a', 's-1')], indexed: true } } });
  assert.ok(found.success, 'prompt matches go as a delta with no rows');
});

test('the webview\'s messages are checked: good ones pass, a bad one is refused naming the field', () => {
  const ok = (raw: unknown): void => assert.ok(parseWebviewMessage(dashboardWebviewMessage, raw, 'dashboard').ok, JSON.stringify(raw));
  const refused = (raw: unknown, expected: RegExp): void => {
    const parsed = parseWebviewMessage(dashboardWebviewMessage, raw, 'dashboard');
    assert.equal(parsed.ok, false, JSON.stringify(raw));
    if (!parsed.ok) assert.match(parsed.problem, expected);
  };
  ok({ type: 'openReport', sessionId: 'abc' });
  ok({ type: 'export', format: 'csv', keys: ['/w\u0000abc'] });
  ok({ type: 'export', format: 'json', keys: [] });
  ok({ type: 'export', format: 'html', keys: ['/w\u0000abc'], by: 'week', selection: 'workflow = <b>team</b>' });
  ok({ type: 'timing', name: 'sort', ms: 12.5, rows: 10 });
  ok({ type: 'rest' });
  ok({ type: 'searchPrompts', text: 'zebra' });
  refused({ type: 'searchPrompts', text: 'x'.repeat(501) }, /text is longer than 500 characters/);
  ok({ type: 'timing', name: 'allRows', ms: 900, rows: 6881 });
  refused({ type: 'rest', keys: [] }, /"rest"/);
  refused({ type: 'openReport', sessionId: '' }, /dashboard view sent an invalid message "openReport": message\.sessionId: sessionId must not be empty/);
  refused({ type: 'openReport', sessionId: 'x', html: '<b>' }, /"openReport"/);
  refused({ type: 'export', format: 'xlsx', keys: [] }, /message\.format: format must be "csv", "json" or "html"/);
  refused({ type: 'export', format: 'html', keys: [], by: 'month' }, /message\.by: by must be "day" or "week"/);
  refused({ type: 'export', format: 'html', keys: [], selection: 'x'.repeat(4001) }, /message\.selection: selection is longer than 4000 characters/);
  refused({ type: 'export', format: 'csv', keys: 'all' }, /message\.keys: keys must be an array/);
  refused({ type: 'export', format: 'csv', keys: [42] }, /message\.keys\.0: a key must be a string/);
  refused({ type: 'timing', name: 'sort', ms: -1, rows: 0 }, /message\.ms: ms must not be negative/);
  refused({ type: 'deleteEverything' }, /"deleteEverything"/);
  refused('openReport', /without a type/);
});

/** Reads RFC 4180 CSV (quoted fields, doubled quotes, CRLF) back into rows of fields. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 1; } else field += c;
  }
  return rows;
}

test('the CSV export quotes per RFC 4180, defuses formulas in text cells, keeps unicode and numbers as they are', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"');
  for (const start of ['=', '+', '-', '@', '\t', '\r']) assert.ok(csvCell(`${start}1+1`).replace(/^"/, '').startsWith(`'${start}`), `a text cell starting with ${JSON.stringify(start)} gets an apostrophe`);
  assert.equal(csvCell(-3), '-3', 'a number is not text: no apostrophe');
  assert.equal(csvCell(null), '');
  const hostile = ['=cmd|\' /C calc\'!A0', 'שלום, עולם', '😀 "quoted"\r\nnext', '@SUM(A1)'];
  const rows: DashboardRow[] = hostile.map((title, i) => dashboardRow(source, overview(`s-${i}`, { title, branch: i === 0 ? '-feat' : null, tags: ['a', 'b'] }), NOW, DEFAULT_PRICE_TABLE));
  const csv = exportCsv(rows);
  assert.ok(csv.startsWith('\uFEFFsession,workspace,title,'), 'a byte order mark, then the header');
  assert.ok(csv.endsWith('\r\n'));
  const read = readCsv(csv.slice(1));
  assert.equal(read.length, 1 + hostile.length);
  const header = read[0] ?? [];
  assert.ok(read.every((r) => r.length === header.length), 'every line has every column');
  const column = (name: string): string[] => read.slice(1).map((r) => r[header.indexOf(name)] ?? '');
  assert.deepEqual(column('title'), ['\'=cmd|\' /C calc\'!A0', 'שלום, עולם', '😀 "quoted"\r\nnext', '\'@SUM(A1)']);
  assert.deepEqual(column('branch'), ['\'-feat', '', '', '']);
  assert.deepEqual(column('durationMs'), ['60000', '60000', '60000', '60000']);
  assert.deepEqual(column('started'), Array(4).fill(new Date(T0).toISOString()));
  assert.deepEqual(column('tags'), Array(4).fill('a b'));
});

test('the JSON export holds the same records with numbers as numbers and text unchanged', () => {
  const rows = [dashboardRow(source, overview('s-1', { title: '=1+1 <b>x</b>', toolFailures: 2 }), NOW, DEFAULT_PRICE_TABLE)];
  const records = JSON.parse(exportJson(rows)) as Record<string, unknown>[];
  assert.equal(records.length, 1);
  assert.equal(records[0]?.['title'], '=1+1 <b>x</b>', 'JSON is not a spreadsheet: text is kept as it was');
  assert.equal(records[0]?.['toolFailures'], 2);
  assert.equal(records[0]?.['imported'], false);
  assert.equal(records[0]?.['session'], 's-1');
});

/** A one-minute session starting at this local time. */
function minuteFrom(local: string): Pick<SessionOverview, 'firstEventAt' | 'lastEventAt'> {
  return { firstEventAt: Date.parse(local), lastEventAt: Date.parse(local) + 60_000 };
}

function sampleOverviews(): SessionOverview[] {
  return [
    overview('a1', { title: 'Fix the login bug', branch: 'feat/login', workflow: 'loop', workflowState: 'review', model: 'opus', toolFailures: 3, rejections: 2, iterations: 2, ...minuteFrom('2026-03-01T09:00:00'), tags: ['bugfix'] }),
    overview('b2', { title: 'Write docs', branch: null, model: 'sonnet', endReason: 'clear', ...minuteFrom('2026-03-02T09:00:00'), importedEvents: 4, tags: ['bug'] }),
    overview('c3', { title: 'Refactor parser', branch: 'main', workflow: 'loop', workflowState: 'developing', model: 'opus', denials: 1, firstEventAt: Date.parse('2026-03-03T09:00:00'), lastEventAt: Date.parse('2026-03-03T12:00:00'),
      usage: { buckets: { '0|s|claude-opus-4-5': { messages: 1, inputTokens: 5000, outputTokens: 100, cacheCreationInputTokens: 0, cacheCreation1hInputTokens: 0, cacheReadInputTokens: 0 } } } }),
    overview('d4', { title: null, branch: 'feat/login', firstEventAt: null, lastEventAt: null }),
  ];
}

function sample(): ReturnType<typeof selectable>[] {
  return dashboardRows([{ ...source, rows: sampleOverviews() }], NOW, DEFAULT_PRICE_TABLE).map(selectable);
}

const ids = (rows: readonly SessionListing[]): string[] => rows.map((r) => r.row.sessionId);
const f = (change: Partial<DashboardFilter>): DashboardFilter => ({ ...EMPTY_FILTER, ...change });

test('the dashboard\'s filters keep the sessions `logbook sessions --where` keeps, and free text and tags match as said', () => {
  const rows = sample();
  // What `logbook sessions` reads: the full overview rows, not the dashboard's slim ones.
  const listings = sampleOverviews().map((o) => listingOf(o, NOW));
  const where = (text: string): string[] => {
    const parsed = parseWhere(text);
    assert.ok(parsed.ok);
    return ids(querySessions(listings, { where: parsed.conditions, sort: { field: 'started', descending: true } }));
  };
  assert.deepEqual(ids(selectRows(rows, f({ branch: 'feat/login', minFailures: '1' }))), where('branch=feat/login and failures>=1'));
  assert.deepEqual(ids(selectRows(rows, f({ state: 'review' }))), ['a1']);
  assert.deepEqual(ids(selectRows(rows, f({ branch: NONE }))), ['b2'], '"no branch" keeps the sessions without one');
  assert.deepEqual(ids(selectRows(rows, f({ model: 'opus', minDenials: '1' }))), where('model=opus and denials>=1'));
  assert.deepEqual(ids(selectRows(rows, f({ minDurationMin: '60' }))), ['c3'], 'minutes: only the 3-hour session');
  assert.deepEqual(ids(selectRows(rows, f({ minRejections: '2' }))), ['a1']);
  assert.deepEqual(ids(selectRows(rows, f({ endReason: 'clear' }))), ['b2'], 'an end reason');
  assert.deepEqual(ids(selectRows(rows, f({ minTokens: '1000' }))), where('tokens>=1000'));
  assert.deepEqual(ids(selectRows(rows, f({ minTokens: '1000' }))), ['c3'], 'tokens');
  assert.deepEqual(ids(selectRows(rows, f({ minIterations: '1' }))), ['a1'], 'iterations');
  assert.deepEqual(ids(selectRows(rows, f({ imported: 'yes' }))), ['b2']);
  assert.deepEqual(ids(selectRows(rows, f({ imported: 'no' }))), ['c3', 'a1', 'd4']);
  assert.deepEqual(ids(selectRows(rows, f({ text: 'LOGIN BUG' }))), ['a1'], 'title, case-insensitive');
  assert.deepEqual(ids(selectRows(rows, f({ text: 'feat/' }))), ['a1', 'd4'], 'branch');
  assert.deepEqual(ids(selectRows(rows, f({ text: 'c3' }))), ['c3'], 'session id');
  const byPrompt = new Set([rowKey(source.folder, 'b2')]);
  assert.deepEqual(ids(selectRows(rows, f({ text: 'LOGIN BUG' }), NOW, byPrompt)), ids(selectRows(rows, f({}))).filter((id) => id === 'a1' || id === 'b2'), 'the rows the host found by their prompts join the title\'s');
  assert.deepEqual(ids(selectRows(rows, f({ text: 'LOGIN BUG', tag: 'nope' }), NOW, byPrompt)), [], 'and still meet every other filter');
  assert.deepEqual(ids(selectRows(rows, f({ tag: 'bug' }))), ['b2'], 'a tag matches whole, not "bugfix"');
  assert.deepEqual(ids(selectRows(rows, f({ from: '2026-03-02', to: '2026-03-02' }))), ['b2'], 'a day range includes its whole last day');
  assert.deepEqual(ids(selectRows(rows, f({ minCost: 'abc' }))).length, 4, 'a minimum that is not a number filters nothing');
  assert.deepEqual(ids(selectRows(rows, f({ text: 'nothing like this' }))), []);
});

test('the dashboard sorts by any column, unknown values last, and by workspace', () => {
  const rows = sample();
  assert.deepEqual(ids(selectRows(rows, f({ sort: { field: 'started', descending: true } }))), ['c3', 'b2', 'a1', 'd4']);
  assert.deepEqual(ids(selectRows(rows, f({ sort: { field: 'started', descending: false } }))), ['a1', 'b2', 'c3', 'd4'], 'unknown start last either way');
  assert.deepEqual(ids(selectRows(rows, f({ sort: { field: 'title', descending: false } }))), ['a1', 'c3', 'b2', 'd4']);
  assert.deepEqual(ids(selectRows(rows, f({ sort: { field: 'failures', descending: true } })))[0], 'a1');
  const two = [...rows, ...dashboardRows([{ folder: '/work/0', workspace: '0-first', rows: [overview('z9')] }], NOW, DEFAULT_PRICE_TABLE).map(selectable)];
  assert.equal(ids(selectRows(two, f({ sort: { field: 'workspace', descending: false } })))[0], 'z9');
  assert.equal(ids(selectRows(two, f({ sort: { field: 'workspace', descending: true } }))).at(-1), 'z9');
});
