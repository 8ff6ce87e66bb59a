import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../src/store/event-store';
import { entryFileName, entryText, stampNow, writeInboxEntry } from '../../src/capture/inbox-writer';
import { appendToInboxLog, LOG_SUFFIX } from '../../src/capture/inbox-log';

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'logbook-unit-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(process.env['LOGBOOK_TEST_SCRATCH'] ?? tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builder of events to append. */
export function anEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return { eventId: randomUUID(), type: 'PreToolUse', schemaVersion: 1, data: { tool_name: 'Bash', tool_input: { command: 'echo hi' } }, metadata: { source: 'test' }, ...overrides };
}

/** The hook payloads of the real captured session (test/fixtures), in the order they fired. */
export function fixturePayloads(): Record<string, unknown>[] {
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'full-session.hooks.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => (JSON.parse(line) as { payload: Record<string, unknown> }).payload);
}

export const FIXTURE_SESSION = '4b1ffb86-03bc-4881-8ec2-3bc2cf43ffba';

/** Writes a payload to an inbox the way the hook does; returns the entry's event id. */
export function putInInbox(inboxDir: string, payload: unknown, hookEvent?: string): string {
  const stamp = stampNow();
  writeInboxEntry(inboxDir, entryFileName(stamp), entryText(stamp, 'hook', hookEvent, JSON.stringify(payload)));
  return stamp.id;
}

/** Appends a payload to an inbox's live log the way the hook does; returns the entry's event id. */
export function logInInbox(inboxDir: string, payload: unknown, hookEvent?: string): string {
  const stamp = stampNow();
  const written = appendToInboxLog(inboxDir, entryText(stamp, 'hook', hookEvent, JSON.stringify(payload)), () => entryFileName(stampNow(), LOG_SUFFIX));
  if (written === undefined) throw new Error('the live log was retired under a test writer');
  return stamp.id;
}

/** The real captured session as stored events (positions 1..n, times from the capture). */
export function fixtureRecordedEvents(streamId = FIXTURE_SESSION): import('../../src/store/event-store').RecordedEvent[] {
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'full-session.hooks.jsonl'), 'utf8');
  return text.trim().split('\n').map((line, i) => {
    const { event, ts_ms: ms, payload } = JSON.parse(line) as { event: string; ts_ms: number; payload: Record<string, unknown> };
    const at = new Date(ms).toISOString();
    return {
      globalPosition: i + 1, streamId, streamPosition: i + 1, eventId: `f${i + 1}`, type: event, schemaVersion: 1,
      recordedAt: at, correlationId: null, causationId: null, data: payload, metadata: { source: 'hook', receivedAt: at },
    };
  });
}

/**
 * What a hook process needs from the environment besides its own variables: the HOME Claude Code
 * runs it with (where the provenance key is found), or the key file a test run moved.
 */
export function keyEnv(): Record<string, string> {
  const key = process.env['LOGBOOK_KEY_FILE'];
  return { HOME: process.env['HOME'] ?? '', ...(key === undefined ? {} : { LOGBOOK_KEY_FILE: key }) };
}
