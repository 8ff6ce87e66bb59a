import { closeSync, fsyncSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stampEntry } from './provenance';
import { ensurePrivateDirs, openSafe } from './safe-fs';

// Imported by the hook's tiny bundle: node built-ins only (no zod, no sql.js, no vscode).

/** Who can hand an entry to the inbox: the hook, the `logbook` CLI, its MCP server, the VS Code extension, the writer (usage read from transcripts), `logbook import`. */
// transcript: usage events the writer read out of a session's transcripts (src/ingest/usage/).
// import: hook-shaped events read out of the transcripts of a session the hooks did not record (src/ingest/import/).
export const INBOX_SOURCES = ['hook', 'cli', 'mcp', 'vscode', 'transcript', 'import'] as const;
/** Who handed an entry to the inbox. */
export type InboxSource = (typeof INBOX_SOURCES)[number];

export const INBOX_FORMAT_VERSION = 1;
/** Suffix of entries written by the JS writers; the sh launcher's fallback writes `.rawhook` files. */
export const INBOX_ENTRY_SUFFIX = '.json';
export const RAW_HOOK_SUFFIX = '.rawhook';

export interface InboxStamp {
  readonly id: string;
  readonly receivedAt: string;
  /** Microseconds since the epoch: orders entries from different processes. */
  readonly receivedUs: number;
}

export function stampNow(): InboxStamp {
  const us = Math.round((performance.timeOrigin + performance.now()) * 1000);
  const ms = Math.floor(us / 1000);
  return { id: uuidV7(ms), receivedAt: new Date(ms).toISOString(), receivedUs: us };
}

/**
 * A time-ordered UUID (RFC 9562 version 7): 48 bits of milliseconds, then random bits.
 * Ids that grow with time keep the store's UNIQUE(event_id) index an append, not a random insert.
 * The 74 random bits come from Math.random (seeded from the OS per process): ids must be unique,
 * not secret, and loading node:crypto costs the hook 2-5 ms at every start.
 */
export function uuidV7(ms: number): string {
  const bytes = Buffer.allocUnsafe(16);
  for (let i = 6; i < 16; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The event id an entry file name carries (`<micros>-<id>.json`), or undefined. */
export function idFromEntryName(name: string): string | undefined {
  const match = /^\d{17}-([0-9a-f-]{36})(?:\.cmd)?\.json$/.exec(name);
  return match?.[1];
}

/** Suffix of entries that carry decided workflow events (found quickly by the hook). */
export const EVENTS_ENTRY_SUFFIX = '.cmd.json';

/** An entry of workflow events a writer (CLI, MCP, a hook's decision) decided for a session. */
export function eventsEntryText(stamp: InboxStamp, source: InboxSource, sessionId: string, events: readonly { type: string; id?: string; data: unknown }[], causationId?: string): string {
  return stampEntry(JSON.stringify({ v: INBOX_FORMAT_VERSION, id: stamp.id, receivedAt: stamp.receivedAt, receivedUs: stamp.receivedUs, source, sessionId, events, causationId }) + '\n');
}

/** Entry file names sort in receive order: zero-padded microseconds, then the unique id. */
export function entryFileName(stamp: InboxStamp, suffix = INBOX_ENTRY_SUFFIX): string {
  return `${String(stamp.receivedUs).padStart(17, '0')}-${stamp.id}${suffix}`;
}

/**
 * Stdin that was not valid UTF-8: where the first bad byte was, and the exact bytes (base64), so
 * the raw segments keep what Claude Code sent while the store gets the decoded text with a note.
 */
export interface StdinBytes {
  readonly invalidUtf8At: number;
  readonly base64: string;
}

/**
 * Serialises an entry around an already-valid JSON payload text, so a large payload is
 * never parsed-and-restringified twice on the hook's hot path.
 */
export function entryText(stamp: InboxStamp, source: InboxSource, hookEvent: string | undefined, payloadJson: string, stdin?: StdinBytes): string {
  const head = `{"v":${INBOX_FORMAT_VERSION},"id":"${stamp.id}","receivedAt":"${stamp.receivedAt}","receivedUs":${stamp.receivedUs},"source":"${source}"`;
  const event = hookEvent === undefined ? '' : `,"hookEvent":${JSON.stringify(hookEvent)}`;
  const bytes = stdin === undefined ? '' : `,"stdinBytes":${JSON.stringify(stdin)}`;
  // The payload stays last: the ingestor reuses its text as it is.
  return stampEntry(`${head}${event}${bytes},"payload":${payloadJson}}\n`);
}

/** An entry whose payload could not be read as JSON: kept whole with the reason, never dropped. */
export function invalidEntryText(stamp: InboxStamp, source: InboxSource, hookEvent: string | undefined, reason: string, raw: string, stdin?: StdinBytes): string {
  return stampEntry(JSON.stringify({ v: INBOX_FORMAT_VERSION, id: stamp.id, receivedAt: stamp.receivedAt, receivedUs: stamp.receivedUs, source, hookEvent, stdinBytes: stdin, invalid: { reason, raw } }) + '\n');
}

/**
 * Writes one inbox entry atomically and durably: a private temp file, fsync, then rename into
 * the inbox. Concurrent writers never interleave because each entry is its own file. The
 * folders are checked first and the temp file is created O_EXCL|O_NOFOLLOW (safe-fs.ts), so
 * nothing is written through a link someone planted; the rename replaces a name, never follows it.
 */
export function writeInboxEntry(inboxDir: string, fileName: string, text: string): string {
  const tmpDir = join(inboxDir, '.tmp');
  ensurePrivateDirs([dirname(inboxDir), inboxDir, tmpDir]);
  const tmp = join(tmpDir, fileName);
  const fd = openSafe(tmp, 'create-new', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const target = join(inboxDir, fileName);
  renameSync(tmp, target);
  return target;
}
