import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIVE_LOG } from '../../../src/capture/inbox-log';
import { entryFileName, entryText, eventsEntryText, EVENTS_ENTRY_SUFFIX, invalidEntryText, stampNow, writeInboxEntry } from '../../../src/capture/inbox-writer';
import { idFromName } from '../../../src/ingest/inbox-entry';
import { fixturePayloads, logInInbox, putInInbox } from '../helpers';
import type { Random } from '../session-stream-gen';
import { damageText, deepJsonText, hostileKey, hugeString, randomBytes, wrongValue } from './values';

// Inbox contents for the ingest fuzz suite. Genuine entries go through the project's own writers
// (they will carry its provenance stamp); everything meant to be malformed is written by hand:
// damaged entry texts, random bytes, invalid UTF-8, empty files, odd names, torn log records,
// raw hook files, and an inbox item that cannot be read at all. The plan records what was
// written, so the suite can account for every item after ingest.

/** What the generator put in an inbox over all passes. */
export interface InboxPlan {
  /** Ids of genuine entries' events: each must be stored exactly once. */
  readonly genuineIds: string[];
  /** Names of malformed entry files: each must end up stored or quarantined. */
  readonly otherFiles: string[];
  /** Torn records appended to the live log: each must be quarantined. */
  tornRecords: number;
  /** Items that cannot be read (a directory named like an entry). */
  readonly unreadable: string[];
  readonly classes: string[];
  /**
   * The rarer classes this inbox gets, each in about one inbox in five, so that a class with a
   * known problem (harness.ts) does not mask the others in every case.
   */
  readonly rare: ReadonlySet<RareClass>;
}

/** Classes an inbox gets only when its plan says so. */
export type RareClass = 'deep' | 'interleave' | 'bad utf-8 in the log' | 'unreadable';

export function emptyPlan(r: Random): InboxPlan {
  const rare = new Set<RareClass>((['deep', 'interleave', 'bad utf-8 in the log', 'unreadable'] as const).filter(() => r.chance(0.2)));
  return { genuineIds: [], otherFiles: [], tornRecords: 0, unreadable: [], classes: [], rare };
}

const SESSIONS = ['s-1', 's-2', '$x', '__proto__'];
const WORKFLOW_EVENTS = [
  { type: 'JournalEntryWritten', data: { text: 'did it', tags: ['t'], files: [{ path: 'src/a.ts', line: 3 }], state: 'plan', iteration: 1, at: '2026-03-01T10:00:00.000Z' } },
  { type: 'WorkflowTransitionRefused', data: { from: 'plan', to: 'done', reason: 'guard', problems: [], allowed: [], at: '2026-03-01T10:00:01.000Z' } },
  { type: 'StopBlocked', data: { state: 'plan', reason: 'journal first', at: '2026-03-01T10:00:02.000Z' } },
];

/**
 * Adds `count` items to the inbox, genuine and not, in a random mix. In about one inbox in five
 * the entry files and log records interleave in time (the journal must then keep the append
 * order within a log); otherwise the entry files come first and the log records after them.
 */
export function fillInbox(inbox: string, r: Random, plan: InboxPlan, count: number): void {
  const payloads = fixturePayloads();
  const toFiles: (() => void)[] = [];
  const toLog: (() => void)[] = [];
  for (let i = 0; i < count; i += 1) {
    const roll = r.int(20);
    if (roll < 6) toFiles.push(() => genuineHook(inbox, r, plan, payloads, false));
    else if (roll < 10) toLog.push(() => genuineHook(inbox, r, plan, payloads, true));
    else if (roll < 11) toFiles.push(() => genuineEvents(inbox, r, plan));
    else if (roll < 12) toFiles.push(() => genuineInvalid(inbox, r, plan));
    else if (roll < 16) toFiles.push(() => malformedFile(inbox, r, plan, payloads));
    else if (roll < 18) toLog.push(() => tornRecord(inbox, r, plan));
    else toFiles.push(() => rawHookFile(inbox, r, plan));
  }
  if (!plan.rare.has('interleave')) {
    // A torn record has no receive time: first in a log, it would be read before the files.
    if (toLog.length > 0) toLog.unshift(() => genuineHook(inbox, r, plan, payloads, true));
    for (const write of [...toFiles, ...toLog]) write();
    return;
  }
  const all = [...toFiles, ...toLog].sort(() => r.next() - 0.5);
  for (const write of all) write();
  if (toFiles.length > 0 && toLog.length > 0) plan.classes.push(INTERLEAVED);
}

/** The input class of a pass whose entry files and log records interleave in time. */
export const INTERLEAVED = 'entry files interleaved with log records in one pass';

/** A directory named like an entry: the reader cannot read it. */
export function unreadableItem(inbox: string, plan: InboxPlan): void {
  const name = entryFileName(stampNow());
  mkdirSync(join(inbox, name), { recursive: true });
  plan.unreadable.push(name);
  plan.classes.push('unreadable inbox item (a directory named like an entry)');
}

function genuineHook(inbox: string, r: Random, plan: InboxPlan, payloads: readonly Record<string, unknown>[], toLog: boolean): void {
  const payload: Record<string, unknown> = { ...r.pick(payloads), session_id: r.pick(SESSIONS) };
  const roll = r.int(12);
  if (roll === 0 && plan.rare.has('deep')) {
    // Deep nesting goes through the writer as text: JSON.stringify itself cannot write it.
    const stamp = stampNow();
    writeInboxEntry(inbox, entryFileName(stamp), entryText(stamp, 'hook', 'PreToolUse', `{"session_id":"s-1","hook_event_name":"PreToolUse","tool_input":${deepJsonText(r, 3000 + r.int(20_000))}}`));
    plan.genuineIds.push(stamp.id);
    plan.classes.push('deep nesting in a genuine hook payload');
    return;
  }
  if (roll === 1) payload[r.pick(['tool_input', 'prompt', 'tool_response'])] = hugeString(r);
  if (roll === 2) Object.defineProperty(payload, r.pick([...Object.keys(payload), hostileKey(r)]), { value: wrongValue(r), enumerable: true, writable: true, configurable: true });
  if (roll === 3) payload['hook_event_name'] = r.pick(['FutureEvent', '', '__proto__', 42]);
  if (roll === 4) delete payload['session_id'];
  if (roll >= 1 && roll <= 4) plan.classes.push(['huge field', 'wrong type', 'odd event name', 'no session id'][roll - 1] as string);
  plan.genuineIds.push(toLog ? logInInbox(inbox, payload, String(payload['hook_event_name'])) : putInInbox(inbox, payload, String(payload['hook_event_name'])));
}

function genuineEvents(inbox: string, r: Random, plan: InboxPlan): void {
  const stamp = stampNow();
  const events = Array.from({ length: 1 + r.int(3) }, () => r.pick(WORKFLOW_EVENTS));
  const session = r.pick(SESSIONS);
  writeInboxEntry(inbox, entryFileName(stamp, EVENTS_ENTRY_SUFFIX), eventsEntryText(stamp, 'cli', session, events));
  // A reserved stream id ($…) keeps the whole entry as one quarantine record, under the entry's id.
  if (session.startsWith('$')) plan.genuineIds.push(stamp.id);
  else events.forEach((_, n) => plan.genuineIds.push(n === 0 ? stamp.id : idFromName(`${stamp.id}#${n}`)));
}

function genuineInvalid(inbox: string, r: Random, plan: InboxPlan): void {
  const stamp = stampNow();
  writeInboxEntry(inbox, entryFileName(stamp), invalidEntryText(stamp, 'hook', 'Stop', 'stdin is not valid JSON', randomBytes(r, r.int(200)).toString('latin1')));
  plan.genuineIds.push(stamp.id);
}

function malformedFile(inbox: string, r: Random, plan: InboxPlan, payloads: readonly Record<string, unknown>[]): void {
  const stamp = stampNow();
  // Odd names are unique too: a name used twice is another matter (the archive keeps one file per name).
  const odd = [`x${stamp.id}.json`, `00000000000000000-${stamp.id}z.json`, `${String(stamp.receivedUs).padStart(17, '0')}-__proto__.json`];
  const name = r.chance(0.9) ? entryFileName(stamp) : r.pick(odd);
  const roll = r.int(5);
  let bytes: Buffer;
  if (roll === 0) {
    bytes = randomBytes(r, r.int(3000));
    plan.classes.push('random bytes');
  } else if (roll === 1 && plan.rare.has('deep')) {
    bytes = Buffer.from(`{"v":1,"id":"${stamp.id}","receivedAt":"x","receivedUs":1,"source":"hook","payload":${deepJsonText(r, 3000 + r.int(20_000))}}`);
    plan.classes.push('deep nesting in a malformed entry');
  } else {
    const damaged = damageText(r, entryText(stamp, 'hook', 'Stop', JSON.stringify({ ...r.pick(payloads), session_id: 's-1' })));
    bytes = damaged.bytes;
    plan.classes.push(`entry ${damaged.how}`);
  }
  mkdirSync(inbox, { recursive: true });
  writeFileSync(join(inbox, name), bytes);
  plan.otherFiles.push(name);
}

// A hook stopped mid-write: the record mark and part of an entry, no final newline. Cut inside
// a character, or random bytes, it is not valid UTF-8 either.
function tornRecord(inbox: string, r: Random, plan: InboxPlan): void {
  const stamp = stampNow();
  const text = Buffer.from(entryText(stamp, 'hook', 'Stop', JSON.stringify({ session_id: 's-1', hook_event_name: 'Stop', last_assistant_message: 'déjà 🙂' })));
  const badUtf8 = plan.rare.has('bad utf-8 in the log') && r.chance(0.5);
  let junk: Uint8Array;
  if (!badUtf8) junk = text.subarray(0, text.indexOf('é'));
  else junk = r.chance(0.5) ? text.subarray(0, text.indexOf('é') + 1) : randomBytes(r, 1 + r.int(50)).filter((b) => b !== 0x1e && b !== 0x0a);
  mkdirSync(inbox, { recursive: true });
  appendFileSync(join(inbox, LIVE_LOG), Buffer.concat([Buffer.from([0x1e]), junk.subarray(0, r.int(junk.length + 1))]));
  plan.tornRecords += 1;
  plan.classes.push(badUtf8 ? 'invalid UTF-8 in a log record (torn mid-character, or random bytes)' : 'torn log record');
}

// The sh launcher's raw stdin when no JavaScript runtime was found: any bytes at all.
function rawHookFile(inbox: string, r: Random, plan: InboxPlan): void {
  const name = `${String(stampNow().receivedUs).padStart(17, '0')}-sh${1000 + r.int(9000)}-${r.pick(['Stop', 'PreToolUse', ''])}.rawhook`;
  const text = r.pick([JSON.stringify({ session_id: 's-2', hook_event_name: 'Stop' }), '', '[1,2]', '{"session_id":', 'not json']);
  mkdirSync(inbox, { recursive: true });
  writeFileSync(join(inbox, name), r.chance(0.2) ? randomBytes(r, r.int(100)) : Buffer.from(text));
  plan.otherFiles.push(name);
  plan.classes.push('raw hook file');
}
