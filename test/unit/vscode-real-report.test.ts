import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RealResult } from '../../bench/vscode-real/protocol';
import { activationBlocks, activationFigures, phaseBlocks } from '../../bench/vscode-real/vscode-real-report';

// The real-VS Code bench's figures come from raw spans on the extension host's clock: these check
// which block and which call each figure picks, on spans made up for the purpose.

function result(overrides: Partial<RealResult> = {}): RealResult {
  return {
    activateStart: 1000, suiteLoaded: 5000, viewShown: 5100,
    marks: { sqlJsLoaded: 1400, catalogCaughtUp: 1900, activated: 2100 },
    treeReads: [{ at: 1100, rows: 0 }, { at: 2000, rows: 3 }],
    sessionsInCatalog: 3,
    phases: [{ key: 'activation', from: 1000, to: 2500 }, { key: 'idle', from: 3000, to: 5000 }, { key: 'burst', from: 5000, to: 5200 }],
    blocks: [
      { label: 'block', from: 990, ms: 400 },
      { label: 'block', from: 1300, ms: 700 },
      { label: 'block', from: 3500, ms: 30 },
      { label: 'block', from: 5010, ms: 20 },
    ],
    calls: [
      { label: 'WorkspaceLogbook.restoreSnapshot', from: 1500, ms: 300 },
      { label: 'SessionCatalog.catchUp', from: 1810, ms: 50 },
      { label: 'SessionCatalog.catchUp', from: 5100, ms: 60 },
    ],
    visibleMs: [10, 20, 30],
    burstEntries: 63,
    ...overrides,
  };
}

test('a phase gets the longest block that began in it, with the longest of our calls inside that block', () => {
  const activation = phaseBlocks(result(), 'activation');
  assert.equal(activation?.block, 700, 'the 400 ms block began before activate() and is not counted');
  assert.equal(activation?.storeInBlock?.label, 'WorkspaceLogbook.restoreSnapshot');
  assert.equal(activation?.ms, 1500);
});

test('a call outside the phase\'s longest block is the phase\'s longest call, not the block\'s', () => {
  const burst = phaseBlocks(result(), 'burst');
  assert.equal(burst?.block, 20);
  assert.equal(burst?.storeInBlock, undefined, 'the 60 ms call ran after the 20 ms block ended');
  assert.equal(burst?.longestStore?.ms, 60);
  assert.equal(phaseBlocks(result(), 'latency'), undefined);
});

test('the tree is filled at the first read with rows after the catalog caught up, relative to activate()', () => {
  const figures = activationFigures(result());
  assert.equal(figures.treeFilled, 1000);
  assert.equal(figures.caughtUp, 900);
  assert.equal(figures.sqlJs, 400);
  assert.equal(figures.viewLate, false);
  const late = activationFigures(result({ treeReads: [{ at: 2200, rows: 3 }] }));
  assert.equal(late.viewLate, true, 'no read before the catch-up: the view may have shown late');
  assert.ok(Number.isNaN(activationFigures(result({ treeReads: [{ at: 1100, rows: 0 }] })).treeFilled), 'no read with rows: no figure');
});

test('activation\'s long blocks are listed with the marks and calls inside them', () => {
  const lines = activationBlocks(result());
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /300 ms \+ 700 ms: mark sqlJsLoaded, mark catalogCaughtUp, WorkspaceLogbook\.restoreSnapshot 300 ms, SessionCatalog\.catchUp 50\.0 ms/);
});
