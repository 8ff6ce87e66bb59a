import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logbookPaths } from '../../src/capture/paths';
import { openStore } from '../../src/cli/store-snapshot';
import { currentOverview } from '../../src/projections/overview/overview-store';
import { DEFAULT_PRICE_TABLE } from '../../src/projections/pricing';
import type { CohortComparison, SessionsComparison } from '../../src/protocol/compare';
import { buildComparison } from '../../src/views/compare/compare-data';
import type { ChosenCohort, CompareInput } from '../../src/views/compare/compare-data';
import { CohortRegistry } from '../../src/views/compare/cohorts';
import { tempDir } from './helpers';
import { recordSession, runCli } from './recorded-sessions';

// The Compare view's data on the host is the CLI's: a workspace of recorded sessions (written as
// the hook writes them, ingested by `logbook ingest`) compared in the view's way (overview rows
// and streams read through a window's sources, in slices) gives what `logbook compare --json`
// prints; a cohort chosen by ids is those sessions, the compared one left out; a cohort the host
// no longer holds, or an empty one, is refused with a message that says why.

const ONE = '11111111-aaaa-4000-8000-000000000001';
const TWO = '22222222-aaaa-4000-8000-000000000002';
const THREE = '33333333-aaaa-4000-8000-000000000003';
const NOW = Date.UTC(2030, 0, 1);

async function withWorkspace(run: (dir: string, input: (cohorts?: CohortRegistry) => CompareInput) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    recordSession(inbox, ONE, 'Add the export button', { day: 0 });
    recordSession(inbox, TWO, 'Add the import button', { day: 1, failures: 2 });
    recordSession(inbox, THREE, 'Fix the login test', { day: 2, failures: 5 });
    const ingest = await runCli(['ingest', '--workspace', dir]);
    assert.equal(ingest.code, 0, ingest.err);
    const db = await openStore(logbookPaths(dir));
    assert.ok(db !== undefined);
    let pauses = 0;
    try {
      const rows = currentOverview(db.raw, db.store).rows;
      const source = { overview: () => rows, store: async () => db.store };
      await run(dir, (cohorts = new CohortRegistry()) => ({
        sources: [source], prices: DEFAULT_PRICE_TABLE, now: NOW,
        cohort: (id: string): ChosenCohort | undefined => cohorts.get(id),
        pause: async () => { pauses += 1; },
      }));
    } finally {
      db.close();
    }
    assert.equal(pauses, 0, 'streams shorter than a slice are read without a pause');
  } finally {
    cleanup();
  }
}

async function cliJson<T>(argv: string[]): Promise<T> {
  const out = await runCli([...argv, '--json']);
  assert.equal(out.code, 0, out.err);
  return JSON.parse(out.out) as T;
}

test('two sessions: the view\'s comparison is `logbook compare A B --json`, figure for figure', async () => {
  await withWorkspace(async (dir, input) => {
    const { comparison, cohortLabel } = await buildComparison({ kind: 'sessions', a: ONE, b: THREE }, input());
    const cli = await cliJson<SessionsComparison>(['compare', ONE, THREE, '--workspace', dir]);
    assert.equal(cohortLabel, null);
    assert.equal(comparison.kind, 'sessions');
    // Durations of ended sessions do not run to "now": the two were made at different moments and still agree.
    assert.deepEqual(comparison, cli);
    const failures = comparison.figures.find((f) => f.key === 'toolFailures');
    assert.equal(failures?.delta, 5);
  });
});

test('a session against all the others: the CLI\'s --cohort all; against a chosen set: only those, never itself', async () => {
  await withWorkspace(async (dir, input) => {
    const all = await buildComparison({ kind: 'cohort', a: THREE, cohort: 'all' }, input());
    const cli = await cliJson<CohortComparison>(['compare', THREE, '--cohort', 'all', '--workspace', dir]);
    assert.deepEqual(all.comparison.figures, cli.figures);
    assert.equal(all.cohortLabel, 'the median of all 2 other sessions');
    const cohorts = new CohortRegistry();
    const id = cohorts.add({ ids: [TWO, THREE], label: 'shown in the dashboard' });
    const chosen = await buildComparison({ kind: 'cohort', a: THREE, cohort: id }, input(cohorts));
    assert.ok(chosen.comparison.kind === 'cohort');
    assert.deepEqual(chosen.comparison.a.sessionIds, [TWO]);
    assert.equal(chosen.comparison.a.condition, 'shown in the dashboard');
    assert.equal(chosen.cohortLabel, 'the median of the 1 session shown in the dashboard');
    assert.equal(chosen.comparison.figures.find((f) => f.key === 'toolFailures')?.delta, 3, 'five failures against the median two');
  });
});

test('what cannot be compared is refused with why: the same session twice, an unknown one, a cohort gone or empty', async () => {
  await withWorkspace(async (_dir, input) => {
    await assert.rejects(buildComparison({ kind: 'sessions', a: ONE, b: ONE }, input()), /both sides are the session 11111111-aaaa-4000-8000-000000000001: choose two sessions/);
    await assert.rejects(buildComparison({ kind: 'sessions', a: ONE, b: 'nope' }, input()), /no session nope in this window's logbook/);
    await assert.rejects(buildComparison({ kind: 'cohort', a: ONE, cohort: 'feedc0de' }, input()), /cohort .* is not known any more, e\.g\. after a reload: compare again from the dashboard/);
    const cohorts = new CohortRegistry();
    const onlyItself = cohorts.add({ ids: [ONE], label: 'shown in the dashboard' });
    await assert.rejects(buildComparison({ kind: 'cohort', a: ONE, cohort: onlyItself }, input(cohorts)), /no session other than .* is in the cohort/);
  });
});
