import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logbookPaths } from '../../src/capture/paths';
import { parseWhen } from '../../src/projections/overview/session-query';
import { tempDir } from './helpers';
import { recordSession, runCli as run } from './recorded-sessions';

// `logbook sessions` over the overview rows: titles, columns, filters, sort, and bad queries told
// by name. Three sessions made of the real fixture's payloads, each with its own first prompt;
// one fails more tools than the others.

interface Listed { sessionId: string; title: string | null; events: number; toolFailures: number; status: string; startedAt: string | null; costUsd: number }

test('logbook sessions lists titles and filters, sorts and limits by the overview\'s fields', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    recordSession(inbox, 'sess-alpha', 'Add the <b>export</b>\nbutton', { day: 0 });
    recordSession(inbox, 'sess-beta', 'Fix the flaky login test', { day: 1, failures: 3 });
    recordSession(inbox, 'sess-gamma', 'Refactor the parser', { day: 2, failures: 1 });
    assert.equal((await run(['ingest', '--workspace', dir])).code, 0);

    const table = await run(['sessions', '--workspace', dir]);
    assert.equal(table.code, 0, table.err);
    const lines = table.out.trim().split('\n');
    assert.match(lines[0] ?? '', /^session\s+started\s+duration\s+state\s+cost\s+events\s+branch\s+title$/);
    assert.match(table.out, /Add the <b>export<\/b> button/, 'the title as text, on one line');

    const all = JSON.parse((await run(['sessions', '--json', '--workspace', dir])).out) as Listed[];
    assert.deepEqual(all.map((s) => s.sessionId), ['sess-gamma', 'sess-beta', 'sess-alpha'], 'the latest activity first');
    assert.equal(all.find((s) => s.sessionId === 'sess-beta')?.title, 'Fix the flaky login test');
    const baseFailures = all.find((s) => s.sessionId === 'sess-alpha')?.toolFailures ?? 0;
    assert.equal(all.find((s) => s.sessionId === 'sess-beta')?.toolFailures, baseFailures + 3);

    const listed = async (...args: string[]): Promise<string[]> => {
      const result = await run(['sessions', '--json', '--workspace', dir, ...args]);
      assert.equal(result.code, 0, result.err);
      return (JSON.parse(result.out) as Listed[]).map((s) => s.sessionId);
    };
    assert.deepEqual(await listed('--where', `failures>${baseFailures}`), ['sess-gamma', 'sess-beta']);
    assert.deepEqual(await listed('--where', `failures>${baseFailures} and title~LOGIN`), ['sess-beta'], 'conditions joined with and; ~ ignores case');
    assert.deepEqual(await listed('--sort', 'failures:desc', '--limit', '1'), ['sess-beta']);
    assert.deepEqual(await listed('--sort', 'title:asc'), ['sess-alpha', 'sess-beta', 'sess-gamma']);
    assert.deepEqual(await listed('--since', '2026-11-02', '--until', '2026-11-02'), ['sess-beta'], 'a day, from its start to its end (local time)');
    assert.deepEqual(await listed('--where', 'title~nothing like this'), []);
    assert.deepEqual(await listed('--where', 'imported=false and duration<1h and started>=2026-11-02'), ['sess-gamma', 'sess-beta'], 'booleans, spans and days');
    assert.deepEqual(await listed('--where', 'branch=', '--sort', 'session:asc'), ['sess-alpha', 'sess-beta', 'sess-gamma'], 'no branch known: "=" with nothing');
    assert.match((await run(['sessions', '--workspace', dir, '--where', 'title~nothing'])).out, /no matching sessions/);
    const one = await run(['sessions', '--workspace', dir, '--limit', '1']);
    assert.equal(one.out.trim().split('\n').length, 2, 'the header and one row');
    assert.match(one.out, /Refactor the parser/, 'the latest');
    assert.match(one.err, /1 of 3 matching sessions shown: --limit N or --all for more/);
    assert.equal((await run(['sessions', '--workspace', dir, '--all'])).err, '', 'all shown: nothing to say');
    assert.deepEqual(await listed('--sort', 'started:asc', '--since', '2026-11-02'), ['sess-beta', 'sess-gamma'], 'by start, bounded, read through the index');
  } finally {
    cleanup();
  }
});

test('a query that does not read is refused with what is wrong, and exit 2', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: [string[], RegExp][] = [
      [['--where', 'colour=red'], /--where: unknown field "colour"/],
      [['--where', 'cost >> 1'], /--where: cost needs a number, got "> 1"/],
      [['--where', 'bogus'], /--where: "bogus" is not "field op value"/],
      [['--where', 'duration>ten minutes'], /--where: duration needs a duration \(90s, 30m, 2h, 1d\)/],
      [['--where', 'imported=maybe'], /--where: imported needs true or false/],
      [['--sort', 'cost:sideways'], /--sort: "sideways" is not asc or desc/],
      [['--sort', 'nope'], /--sort: unknown field "nope"/],
      [['--since', 'last tuesday'], /--since must be a day \(2026-12-01\), an ISO time or a span/],
      [['--until', '2026-13-45x'], /--until must be/],
      [['--limit', '0'], /--limit/],
      [['--limit', '5', '--all'], /choose one of --all and --limit/],
    ];
    for (const [args, message] of cases) {
      const result = await run(['sessions', '--workspace', dir, ...args]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.err, message);
    }
  } finally {
    cleanup();
  }
});

test('--since and --until read days (local), ISO times and spans back from now', () => {
  const now = Date.UTC(2026, 11, 5, 12);
  assert.equal(parseWhen('7d', now), now - 7 * 86_400_000);
  assert.equal(parseWhen('30m', now), now - 30 * 60_000);
  assert.equal(parseWhen('2026-12-01', now), new Date(2026, 11, 1).getTime());
  assert.equal(parseWhen('2026-12-01', now, true), new Date(2026, 11, 2).getTime() - 1);
  assert.equal(parseWhen('2026-12-01T10:00:00Z', now), Date.UTC(2026, 11, 1, 10));
  assert.equal(parseWhen('yesterday', now), undefined);
});
