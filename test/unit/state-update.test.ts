import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyUpdate, stateMessage } from '../../src/protocol/state-update';

interface View { readonly revision: number; readonly heavy: readonly number[]; readonly log: { readonly offset: number } }
const reusable = { keys: ['heavy'] as const, revision: (s: View): number => s.revision };
const view = (revision: number, offset: number): View => ({ revision, heavy: Array.from({ length: 1000 }, (_, i) => i * revision), log: { offset } });

test('a state of the revision last sent leaves out the reusable parts; the view puts its own back and gets the same state', () => {
  const first = stateMessage(view(7, 0), undefined, reusable);
  assert.equal(first.type, 'state', 'nothing sent yet: whole');
  const scrolled = view(7, 200);
  const message = stateMessage(scrolled, 7, reusable);
  assert.equal(message.type, 'update');
  assert.ok(message.type === 'update' && !('heavy' in message.state), 'the heavy part is not resent');
  assert.ok(JSON.stringify(message).length < JSON.stringify(scrolled).length / 10);
  if (message.type !== 'update') return;
  assert.deepEqual(applyUpdate(view(7, 0), message.state, message.reused), scrolled);
});

test('a new revision, no reusable parts, or a view with no state yet get the whole state', () => {
  assert.equal(stateMessage(view(8, 0), 7, reusable).type, 'state', 'the session got events');
  assert.equal(stateMessage(view(7, 0), 7, undefined).type, 'state', 'a view without reusable parts');
  assert.equal(applyUpdate<View>(undefined, { log: { offset: 1 } }, ['heavy']), undefined, 'nothing to build on: the view asks again');
});
