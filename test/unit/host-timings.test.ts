import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { WorkspaceLogbook } from '../../src/views/workspace-logbook';
import { hostTimings, TIMINGS_ENV } from '../../src/views/timings/host-timings';

const originals = (): unknown[] => [WorkspaceLogbook.prototype.catchUp, WorkspaceLogbook.prototype.summary, WorkspaceLogbook.prototype.readStream, LogbookDatabase.open];

test('without $LOGBOOK_BENCH_TIMINGS=1 there is no recorder and no store method is wrapped', () => {
  const before = originals();
  assert.equal(hostTimings({}), undefined);
  assert.equal(hostTimings({ [TIMINGS_ENV]: '0' }), undefined);
  assert.equal(hostTimings({ [TIMINGS_ENV]: 'true' }), undefined);
  assert.deepEqual(originals(), before);
});

test('the bench recorder times wrapped calls, marks once, and puts every method back when disposed', async () => {
  const before = originals();
  const timings = hostTimings({ [TIMINGS_ENV]: '1' });
  assert.ok(timings !== undefined);
  try {
    timings.wrapStoreCalls();
    assert.notEqual(WorkspaceLogbook.prototype.catchUp, before[0]);
    assert.notEqual(WorkspaceLogbook.prototype.summary, before[1]);
    const slow = { work(): number { const until = Date.now() + 5; while (Date.now() < until) { /* busy */ } return 7; } };
    timings.wrap('Slow', slow, ['work']);
    assert.equal(slow.work(), 7);
    assert.deepEqual(timings.calls.map((c) => c.label), ['Slow.work']);
    assert.ok((timings.calls[0]?.ms ?? 0) >= 4);
    timings.mark('x');
    const first = timings.marks.get('x');
    await new Promise((resolve) => setTimeout(resolve, 5));
    timings.mark('x');
    assert.equal(timings.marks.get('x'), first);
    const tree = { getChildren: async (node?: string): Promise<string[]> => (node === undefined ? ['a', 'b'] : []), changed: (): void => undefined };
    timings.watchTree(tree);
    await tree.getChildren();
    await tree.getChildren('a');
    assert.deepEqual(timings.treeReads.map((r) => r.rows), [2]);
  } finally {
    timings.dispose();
  }
  assert.deepEqual(originals(), before);
});
