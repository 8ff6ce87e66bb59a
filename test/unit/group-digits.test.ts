import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupDigits } from '../../src/domain/group-digits';

test('groupDigits writes integers as toLocaleString("en-US") does', () => {
  for (const n of [0, 7, 12, 999, 1000, 1001, 65_536, 999_999, 1_000_000, 1_234_567_890, -1, -1000, -1_234_567, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    assert.equal(groupDigits(n), n.toLocaleString('en-US'), String(n));
  }
});

test('groupDigits leaves what is not a safe integer to toLocaleString', () => {
  for (const n of [1.5, 1234.5678, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) assert.equal(groupDigits(n), n.toLocaleString('en-US'));
});
