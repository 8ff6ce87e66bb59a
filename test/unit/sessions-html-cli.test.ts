import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import type { Trends } from '../../src/protocol/trends';
import { tempDir } from './helpers';
import { recordSession, runCli as run } from './recorded-sessions';

// `logbook sessions --html` and the ▲ of `logbook trends`, on a workspace whose sessions were
// recorded through the project's writers (stamped hook entries, ingested by `logbook ingest`):
// three sessions a day, the second day's with more failing tool calls, one with a hostile prompt.

const HOSTILE = '<script>window.pwned = 1</script> \u202Eevil';

async function workspace(): Promise<{ dir: string; cleanup: () => void }> {
  const made = tempDir();
  const inbox = logbookPaths(made.dir).inbox;
  for (let n = 0; n < 3; n += 1) recordSession(inbox, `calm-${n}`, n === 0 ? HOSTILE : `Calm task ${n}`, { day: 0 });
  for (let n = 0; n < 3; n += 1) recordSession(inbox, `rough-${n}`, `Rough task ${n}`, { day: 1, failures: 6 });
  assert.equal((await run(['ingest', '--workspace', made.dir])).code, 0);
  return made;
}

test('logbook sessions --html --out FILE writes one private page with every matching session, the hostile title as text; a link planted at FILE is replaced, not followed', async () => {
  const { dir, cleanup } = await workspace();
  try {
    const out = join(dir, 'sessions.html');
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me');
    symlinkSync(target, out);
    const written = await run(['sessions', '--html', '--out', out, '--workspace', dir]);
    assert.equal(written.code, 0, written.err);
    assert.match(written.out, /^wrote .*sessions\.html \(6 sessions\)\n$/);
    assert.equal(readFileSync(target, 'utf8'), 'keep me', 'nothing written through the link');
    assert.ok(lstatSync(out).isFile(), 'the link was replaced by the page');
    assert.equal(statSync(out).mode & 0o777, 0o600, 'private');
    const html = readFileSync(out, 'utf8');
    for (const id of ['calm-0', 'calm-1', 'calm-2', 'rough-0', 'rough-1', 'rough-2']) assert.ok(html.includes(`data-session="${id}"`), id);
    assert.ok(!html.includes('<script>window.pwned'), 'the title is escaped');
    assert.ok(html.includes('&#60;script&#62;window.pwned = 1&#60;/script&#62;'), 'and still there, as text');
    assert.match(html, /▲ tool failures per session/, 'the second day regressed');
  } finally {
    cleanup();
  }
});

test('logbook sessions --html prints the page of the filtered sessions; --out and --by need --html, --json and --html exclude each other', async () => {
  const { dir, cleanup } = await workspace();
  try {
    const printed = await run(['sessions', '--html', '--by', 'week', '--where', 'title~rough', '--workspace', dir]);
    assert.equal(printed.code, 0, printed.err);
    assert.match(printed.out, /^<!DOCTYPE html>/);
    assert.deepEqual([...printed.out.matchAll(/data-session="([^"]+)"/g)].map((m) => m[1]).sort(), ['rough-0', 'rough-1', 'rough-2']);
    assert.match(printed.out, /Trends per week/);
    assert.match(printed.out, /logbook sessions --where &#39;title~rough&#39; --html --by week/, 'the page says what was selected');
    for (const [args, message] of [
      [['--out', join(dir, 'x.html')], /--out goes with --html/],
      [['--by', 'week'], /--by goes with --html/],
      [['--html', '--json'], /choose one of --json and --html/],
      [['--html', '--out', join(dir, 'missing', 'x.html')], /--out .*does not exist/],
    ] as const) {
      const refused = await run(['sessions', ...args, '--workspace', dir]);
      assert.equal(refused.code, 2, args.join(' '));
      assert.match(refused.err, message);
    }
  } finally {
    cleanup();
  }
});

test('logbook trends marks the day whose figures regressed and says against what; --json gives the regressions per bucket', async () => {
  const { dir, cleanup } = await workspace();
  try {
    const text = await run(['trends', '--workspace', dir]);
    assert.equal(text.code, 0, text.err);
    const lines = text.out.split('\n');
    assert.match(lines[1] ?? '', /^2026-11-01\s+3\s/, 'the calm day is not marked');
    assert.match(lines[2] ?? '', /^2026-11-02 ▲\s+3\s/, 'the rough day is');
    assert.match(text.out, /\n▲ regressions: 25% worse or more than the 4 days with sessions before/);
    assert.match(text.out, /\n2026-11-02 {2}tool failures per session \d+(\.\d+)? vs \d+(\.\d+)? \(\+\d+%\) against the day before \(3 sessions\)/);
    const trends = JSON.parse((await run(['trends', '--json', '--workspace', dir])).out) as Trends;
    const basis = { kind: 'buckets', keys: ['2026-11-01'] };
    // The failing calls come a minute after the fixture's events: those sessions are longer too.
    assert.deepEqual(trends.buckets.map((b) => b.regressions.map((r) => [r.figure, r.basis, r.sessions, r.baselineSessions])), [
      [], [['medianDurationMs', basis, 3, 3], ['toolFailuresPerSession', basis, 3, 3]],
    ]);
    assert.equal(trends.baselineRule.thresholdPercent, 25);
  } finally {
    cleanup();
  }
});
