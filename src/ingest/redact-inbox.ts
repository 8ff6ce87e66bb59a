import { join } from 'node:path';
import { RETIRED_MODE, splitLog } from '../capture/inbox-log';
import type { LogRecord } from '../capture/inbox-log';
import type { Redactor } from '../domain/redaction/types';
import { writeFileDurably } from '../store/durable-file';
import type { ReadLog } from './claimed-logs';
import { redactEntryText } from './redact-entry';

// The writer takes secrets out of an inbox file BEFORE it ingests it, and writes the cleaned file
// over the original (temp file, fsync, rename): what it then ingests, journals, archives and seals
// is the cleaned file, so a secret never reaches the store, the full-text index or the raw
// segments, and a rebuild replays exactly what was ingested. Until then the secret is only in the
// inbox, which is the user's own (0700 folder, 0600 files). Files with nothing to clean (nearly
// all) are neither copied nor rewritten.

/** A claimed log with its records' secrets taken out, written over the original; the same read when there were none. */
export function redactClaimedLog(inboxDir: string, name: string, read: ReadLog, from: number, redactor: Redactor): ReadLog {
  const cleaned = read.records.map((record) => cleanedRecord(name, record, redactor));
  if (cleaned.every((text) => text === undefined)) return read;
  const parts: Buffer[] = [read.bytes.subarray(0, from)];
  read.records.forEach((record, i) => {
    const text = cleaned[i];
    const end = read.records[i + 1]?.offset ?? read.bytes.length;
    if (text === undefined) {
      parts.push(read.bytes.subarray(record.offset, end));
      return;
    }
    // A record keeps its shape: its mark if it had one, no final newline if it was torn.
    const marked = read.bytes[record.offset] === 0x1e;
    parts.push(Buffer.from(`${marked ? '\u001e' : ''}${text}`, 'utf8'));
  });
  const bytes = Buffer.concat(parts);
  // Still retired: a hook holding the old file sees it unlinked and writes its entry elsewhere.
  writeFileDurably(join(inboxDir, name), bytes, RETIRED_MODE);
  return { records: splitLog(bytes, from), size: bytes.length, bytes };
}

/** An entry file's text with its secrets taken out, written over the original; the same text when there were none. */
export function redactEntryFile(inboxDir: string, name: string, text: string, redactor: Redactor): string {
  const cleaned = redactEntryText(name, text, redactor);
  if (cleaned === undefined) return text;
  writeFileDurably(join(inboxDir, name), cleaned, 0o600);
  return cleaned;
}

/** A log record's text without its secrets, or undefined when it has none. */
function cleanedRecord(log: string, record: LogRecord, redactor: Redactor): string | undefined {
  if (record.torn === undefined) return redactEntryText(`${log}#${record.offset}`, record.text, redactor);
  // A torn record is kept aside as text: cleaned as text, and left torn.
  if (!redactor.mayMatch(record.text)) return undefined;
  const { text, notes, notesOmitted } = redactor.redactText(record.text);
  return notes.length === 0 && notesOmitted === 0 ? undefined : text;
}
