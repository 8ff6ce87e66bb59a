import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { splitLog } from '../../src/capture/inbox-log';
import { entryText, stampNow } from '../../src/capture/inbox-writer';
import { prepareHookEntry } from '../../src/ingest/hook-fast-path';
import { labelOf, logPreparer } from '../../src/ingest/prepare-ahead';
import { fixturePayloads } from './helpers';

const MAX = 65_536;

test('the helper thread prepares a big log\'s records exactly as this thread does (non-ASCII payloads, declined and torn records, fields too big for a result)', async () => {
  const payloads = fixturePayloads();
  const texts: string[] = [];
  for (let i = 0; i < 1500; i += 1) {
    const p: Record<string, unknown> = { ...(payloads[i % payloads.length] as Record<string, unknown>), i, note: i % 7 === 0 ? 'é 😀 naïve ✓' : 'plain' };
    // Every 100th: an unknown event (the fast path declines it); every 250th: a session id too long for a result slot.
    if (i % 100 === 5) p['hook_event_name'] = 'NoSuchEvent';
    if (i % 250 === 9) p['session_id'] = 's'.repeat(2000);
    texts.push(`\u001e${entryText(stampNow(), 'hook', String(p['hook_event_name']), JSON.stringify(p))}`);
  }
  texts.splice(700, 0, '\u001e{"v":1,"id":"torn');
  const bytes = Buffer.from(texts.join(''), 'utf8');
  const records = splitLog(bytes);
  assert.equal(records.length, 1501);
  const log = '00000000000000001-00000000-0000-7000-8000-000000000000.log';
  const preparer = logPreparer(log, bytes, records, MAX, 1);
  try {
    await sleep(1500); // let the helper get through the log
    records.forEach((record, i) => {
      const expected = record.torn === undefined ? prepareHookEntry(labelOf(log, record), record.text, MAX) : null;
      if (record.torn !== undefined) return;
      assert.deepEqual(preparer.prepare(i, record), expected, `record ${i}`);
    });
  } finally {
    preparer.close();
  }
  assert.ok(preparer.counts.fromHelper > 1000, `the helper did most of them (${preparer.counts.fromHelper} from the helper, ${preparer.counts.here} here)`);
  assert.ok(preparer.counts.here >= 6, 'the ones too big for a result slot were checked here');
});

test('a small log is checked on this thread, one record at a time', () => {
  const bytes = Buffer.from(`\u001e${entryText(stampNow(), 'hook', 'Stop', JSON.stringify({ session_id: 's', hook_event_name: 'Stop' }))}`);
  const records = splitLog(bytes);
  const preparer = logPreparer('x.log', bytes, records, MAX);
  assert.notEqual(preparer.prepare(0, records[0] as (typeof records)[number]), null);
  preparer.close();
  assert.deepEqual(preparer.counts, { fromHelper: 0, here: 1 });
});
