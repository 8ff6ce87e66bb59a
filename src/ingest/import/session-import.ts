import { basename, dirname, join } from 'node:path';
import { readSafeTextIfAny } from '../../capture/safe-fs';
import { idFromName } from '../inbox-entry';
import { readTail } from '../usage/transcript-tail';
import type { TailLine } from '../usage/transcript-tail';
import type { SessionTranscripts } from './claude-projects';
import { transcriptEvents } from './transcript-events';
import type { ImportedEvent } from './transcript-events';

// A whole session read back from its transcripts: the main one and each subagent's, merged into
// one stream in the order of their times (a subagent's events fall between the Agent tool's
// PreToolUse and its result, as the hooks fire them). Each event gets its stamp here: the time of
// its line, microseconds made strictly increasing so the inbox keeps this order, and an id derived
// from the session and the event's key, so the same transcripts imported again give the same ids.

/** An event ready to be written as a hook-shaped inbox entry. */
export interface StampedImport {
  readonly id: string;
  readonly receivedUs: number;
  readonly hookEvent: string;
  readonly payload: Record<string, unknown>;
}

/** A line (or a whole file, line 0) that could not be read: `<file>:<line>: why`. */
export interface NamedBadLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface SessionRead {
  readonly sessionId: string;
  readonly events: readonly StampedImport[];
  readonly bad: readonly NamedBadLine[];
}

const READ_BUDGET = 16 * 1024 * 1024;

/** The event id of an imported event: from the session and what it is, never from when it was imported. */
export function importedEventId(sessionId: string, key: string): string {
  return idFromName(JSON.stringify(['import', sessionId, key]));
}

/** Reads a session's transcripts into stamped events, in order; bad lines are named, never thrown. */
export function readSession(session: SessionTranscripts): SessionRead {
  const bad: NamedBadLine[] = [];
  const source = { sessionId: session.sessionId, transcriptPath: session.path };
  const main = transcriptEvents(source, readLines(session.path, bad));
  bad.push(...main.bad.map((b) => ({ file: session.path, ...b })));
  const streams: ImportedEvent[][] = [main.events.map((e) => ({ ...e, key: `main/${e.key}` }))];
  for (const { agentId, path } of session.subagents) {
    const agentType = main.agentTypes.get(agentId) ?? metaAgentType(path) ?? '';
    const read = transcriptEvents({ ...source, agent: { agentId, agentType, path } }, readLines(path, bad));
    bad.push(...read.bad.map((b) => ({ file: path, ...b })));
    streams.push(read.events.map((e) => ({ ...e, key: `${agentId}/${e.key}` })));
  }
  return { sessionId: session.sessionId, events: stamp(session.sessionId, mergeByTime(streams)), bad };
}

/** Every whole line of a file; a line too long to read, or a file that cannot be read, is named in `bad`. */
function readLines(path: string, bad: NamedBadLine[]): TailLine[] {
  const lines: TailLine[] = [];
  try {
    let read = readTail(path, undefined, READ_BUDGET);
    for (;;) {
      lines.push(...read.lines);
      for (const line of read.tooLong) bad.push({ file: path, line, reason: 'longer than 64 MiB, skipped' });
      if (!read.more) break;
      read = readTail(path, read.cursor, READ_BUDGET);
    }
  } catch (error) {
    bad.push({ file: path, line: 0, reason: `cannot be read: ${(error as Error).message}` });
  }
  return lines;
}

// Newer Claude Code versions write `agent-<id>.meta.json` next to a subagent's transcript.
function metaAgentType(path: string): string | undefined {
  try {
    const text = readSafeTextIfAny(join(dirname(path), basename(path).replace(/\.jsonl$/, '.meta.json')));
    const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
    const type = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['agentType'] : undefined;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Merges the files' events by time, each file kept in its own line order (a line's time may be a
 * little earlier than the line before it: times are made non-decreasing per file first). On equal
 * times the main transcript comes first.
 */
export function mergeByTime(streams: readonly (readonly ImportedEvent[])[]): ImportedEvent[] {
  const keyed = streams.map((events) => {
    let max = -Infinity;
    return events.map((event) => {
      max = Math.max(max, event.at);
      return { event, at: max };
    });
  });
  const heads = keyed.map(() => 0);
  const merged: ImportedEvent[] = [];
  for (;;) {
    let pick = -1;
    keyed.forEach((events, i) => {
      const head = events[heads[i] as number];
      if (head === undefined) return;
      const best = pick < 0 ? undefined : keyed[pick]?.[heads[pick] as number];
      if (best === undefined || head.at < best.at) pick = i;
    });
    if (pick < 0) return merged;
    merged.push((keyed[pick] as { event: ImportedEvent }[])[heads[pick] as number]?.event as ImportedEvent);
    heads[pick] = (heads[pick] as number) + 1;
  }
}

function stamp(sessionId: string, events: readonly ImportedEvent[]): StampedImport[] {
  let lastUs = 0;
  return events.map((event) => {
    const receivedUs = Math.max(lastUs + 1, Math.round(event.at * 1000));
    lastUs = receivedUs;
    return { id: importedEventId(sessionId, event.key), receivedUs, hookEvent: event.hookEvent, payload: event.payload };
  });
}
