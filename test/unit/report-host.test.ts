import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';
import { main } from '../../src/cli/main';
import { logbookPaths } from '../../src/capture/paths';
import { LogbookDatabase } from '../../src/store/logbook-database';
import type { NewEvent } from '../../src/store/event-store';
import { emptyQuery } from '../../src/projections/event-log';
import { DEFAULT_PRICE_TABLE } from '../../src/projections/pricing';
import { buildSessionReport } from '../../src/projections/report';
import { summarizeSession } from '../../src/projections/session-summary';
import type { StaticReportData } from '../../src/protocol/report';
import { ReportHost } from '../../src/views/report/report-host';
import { FIXTURE_SESSION, fixturePayloads, putInInbox, tempDir } from './helpers';

// The report's host side on a real (in-memory) store: snapshots match the store's projections,
// the log's index and free-text matches grow with the store, and the CLI writes the HTML export.

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
let clock = T0;
let ids = 0;

function hook(session: string, type: string, data: Record<string, unknown> = {}): NewEvent {
  clock += 1000;
  return { eventId: `ev-${++ids}`, type, schemaVersion: 1, data: { session_id: session, hook_event_name: type, ...data }, metadata: { source: 'hook', receivedAt: new Date(clock).toISOString() } };
}

const HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">';

function turn(session: string, n: number, fail = false): NewEvent[] {
  const input = { command: `step ${n}` };
  return [
    hook(session, 'UserPromptSubmit', { prompt: `turn ${n}` }),
    hook(session, 'PreToolUse', { tool_name: 'Bash', tool_input: input, tool_use_id: `t${n}` }),
    fail ? hook(session, 'PostToolUseFailure', { tool_name: 'Bash', tool_input: input, tool_use_id: `t${n}`, error: `boom ${n}` })
      : hook(session, 'PostToolUse', { tool_name: 'Bash', tool_input: input, tool_use_id: `t${n}`, tool_response: { stdout: n === 1 ? HOSTILE : `ok ${n}` } }),
    hook(session, 'Stop'),
  ];
}

test('host snapshot: the report equals the store\'s projection; the log windows, filters, searches and shows details', async () => {
  const database = await LogbookDatabase.create();
  const store = database.store;
  store.append('other', [hook('other', 'SessionStart')]);
  store.append('s1', [hook('s1', 'SessionStart', { source: 'startup' }), ...Array.from({ length: 30 }, (_, n) => turn('s1', n, n % 7 === 3)).flat()]);
  const host = new ReportHost();
  const now = clock + 5000;
  const state = await host.snapshot('s1', store, DEFAULT_PRICE_TABLE, now);
  assert.ok(state !== undefined);
  assert.deepEqual(state.report, buildSessionReport(summarizeSession(store.readStream('s1')), { now }));
  assert.equal(state.report.imported, null, 'every event from a hook: nothing to say about imported events');
  assert.deepEqual([state.log.total, state.log.unfiltered, state.log.offset, state.log.rows.length], [121, 121, 0, 121]);
  assert.equal(state.revision, store.lastGlobalPosition());
  assert.match(state.prompt, /tool calls: 30 \(4 failed, 0 denied\)/);
  assert.equal(await host.snapshot('nope', store, DEFAULT_PRICE_TABLE, now), undefined);

  // Facets and a window.
  Object.assign(host.ui('s1'), { query: { ...emptyQuery, outcome: ['failed'] }, offset: 2, limit: 2 });
  const failed = await host.snapshot('s1', store, DEFAULT_PRICE_TABLE, now);
  assert.deepEqual([failed?.log.total, failed?.log.offset, failed?.log.rows.map((r) => r.summary)], [4, 2, ['Bash failed: boom 17', 'Bash failed: boom 24']]);
  assert.equal(failed?.log.facets.outcome.find((v) => v.value === 'ok')?.count, 26);

  // Free text through the store's full-text index, then extended with new events.
  Object.assign(host.ui('s1'), { query: { ...emptyQuery, text: 'BOOM' }, offset: 0, limit: 100 });
  assert.equal((await host.snapshot('s1', store, DEFAULT_PRICE_TABLE, now))?.log.total, 4);
  store.append('s1', [...turn('s1', 100, true), ...turn('s1', 101)]);
  const grown = await host.snapshot('s1', store, DEFAULT_PRICE_TABLE, now);
  assert.deepEqual([grown?.log.total, grown?.log.unfiltered], [5, 129]);
  const fresh = new ReportHost();
  Object.assign(fresh.ui('s1'), { query: { ...emptyQuery, text: 'BOOM' }, offset: 0, limit: 100 });
  assert.deepEqual((await fresh.snapshot('s1', store, DEFAULT_PRICE_TABLE, now))?.log, grown?.log, 'grown incrementally = built from scratch');

  // The detail of the selected event: its payload as JSON text; other sessions' events are refused.
  const hostile = store.readStream('s1').find((e) => JSON.stringify(e.data).includes('pwned'));
  Object.assign(host.ui('s1'), { query: emptyQuery, selected: hostile?.globalPosition ?? 0 });
  const detail = (await host.snapshot('s1', store, DEFAULT_PRICE_TABLE, now))?.log.selected;
  assert.equal(detail?.type, 'PostToolUse');
  assert.ok(detail?.data.includes(JSON.stringify(HOSTILE).slice(1, -1)));
  host.ui('s1').selected = 1;
  assert.equal((await host.snapshot('s1', store, DEFAULT_PRICE_TABLE, now))?.log.selected, null, 'position 1 belongs to another session');
  database.close();
});

test('host snapshot: a replaced store (rebuilt, other file) is indexed again, not extended', async () => {
  const first = await LogbookDatabase.create();
  first.store.append('s1', turn('s1', 1).concat(turn('s1', 2)));
  const host = new ReportHost();
  assert.equal((await host.snapshot('s1', first.store, DEFAULT_PRICE_TABLE))?.log.unfiltered, 8);
  const second = await LogbookDatabase.create();
  second.store.append('x', turn('x', 1).concat(turn('x', 2), turn('x', 3)));
  second.store.append('s1', turn('s1', 9));
  const state = await host.snapshot('s1', second.store, DEFAULT_PRICE_TABLE);
  assert.deepEqual([state?.log.unfiltered, state?.log.rows[0]?.summary], [4, 'turn 9']);
  first.close();
  second.close();
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

const elementsNamed = (node: DefaultTreeAdapterMap['node'], name: string): number =>
  ('tagName' in node && node.tagName === name ? 1 : 0) + ('childNodes' in node ? node.childNodes.reduce((n, c) => n + elementsNamed(c, name), 0) : 0);

test('logbook report <session> --html FILE writes one self-contained page; --json still works; bad use exits 2', async () => {
  const distReport = join(__dirname, '..', '..', 'dist', 'webview', 'report.js');
  try {
    readFileSync(distReport);
  } catch {
    assert.fail('build first (npm run build): the export inlines dist/webview/report.js');
  }
  const { dir, cleanup } = tempDir();
  try {
    const payloads = fixturePayloads();
    payloads.push({ ...payloads[4], tool_use_id: 'toolu_hostile', tool_response: { stdout: `</script><script>alert(1)</script>${HOSTILE}` } });
    for (const p of payloads) putInInbox(logbookPaths(dir).inbox, p);
    assert.equal((await run(['ingest', '--workspace', dir])).code, 0);
    const out = join(dir, 'report.html');
    const written = await run(['report', FIXTURE_SESSION, '--html', out, '--workspace', dir]);
    assert.equal(written.code, 0, written.err);
    assert.match(written.out, /wrote .*report\.html/);
    const html = readFileSync(out, 'utf8');
    const doc = parse(html);
    assert.equal(elementsNamed(doc, 'script'), 2);
    assert.equal(elementsNamed(doc, 'img'), 0);
    assert.equal(elementsNamed(doc, 'link'), 0, 'no linked stylesheet');
    assert.doesNotMatch(/<style>(.*?)<\/style>/s.exec(html)?.[1] ?? '', /@import|url\((?!["']?data:)/, 'no remote font or import');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as StaticReportData;
    assert.equal(data.report.tools.totals.calls, 15);
    assert.equal(data.events.length, payloads.length);
    assert.ok(data.events.some((e) => e.detail.data.includes('</script><script>alert(1)</script>')));
    assert.equal((await run(['report', FIXTURE_SESSION, '--json', '--workspace', dir])).code, 0);
    for (const argv of [['--json', '--html', out], [], ['--html'], ['--html', ' ']]) {
      const bad = await run(['report', FIXTURE_SESSION, ...argv, '--workspace', dir]);
      assert.equal(bad.code, 2, argv.join(' '));
      assert.match(bad.err, /usage: logbook report <session> --json \| --html FILE/);
    }
  } finally {
    cleanup();
  }
});
