import { posix } from 'node:path';
import type { RecordedEvent } from '../../store/event-store';
import type { GroupSummary, LinkEvidence, SessionLink } from '../../domain/groups/model';
import { commitsMade, hashesIn } from './commit-text';
import { atOf, linkId, touchOf } from './link-fold';
import type { Touch } from './link-fold';

// File and commit hand-offs between the members of a group, inferred when the group is read (its
// members' streams are read then anyway: the analysis, the timeline), never at ingest: a session's
// every Read, Write and Bash call would otherwise cost the writer a lookup and a save, for links
// that only a group shows. The cost is the group's events, whatever the history's size.
// - handoff-file: a file written (Write, Edit, MultiEdit, NotebookEdit) last by A, then read or
//   edited by B: B got A's version. Evidence: the first write of A's last turn at the file, and
//   B's first use. Earlier writers' work went to that writer (their own hand-off) or was written over.
// - handoff-commit: a commit A's Bash made (git's "[branch abc1234] …" line), whose hash later
//   appears in a git command of B's Bash or in its output (log, show, cherry-pick, merge…).

const WRITE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
const READ_TOOLS = new Set(['Read', 'Edit', 'MultiEdit', 'NotebookEdit']);

type Json = Readonly<Record<string, unknown>>;

/** The file and commit hand-offs between these streams (a group's members), oldest first. */
export function inferHandoffs(streams: ReadonlyArray<{ readonly sessionId: string; readonly events: readonly RecordedEvent[] }>): SessionLink[] {
  const events = streams.flatMap((s) => s.events.filter((e) => e.type === 'PostToolUse')).sort((a, b) => a.globalPosition - b.globalPosition);
  const writers = new Map<string, Touch>();
  const commits = new Map<string, Touch>();
  const links = new Map<string, SessionLink>();
  const add = (link: Omit<SessionLink, 'id' | 'evidence'>, evidence: () => readonly LinkEvidence[]): void => {
    const id = linkId(link.kind, link.from, link.to, link.subject);
    if (!links.has(id)) links.set(id, { id, ...link, evidence: evidence() });
  };
  for (const event of events) {
    const d = obj(event.data);
    const tool = str(d['tool_name']);
    if (tool === undefined) continue;
    const input = obj(d['tool_input']);
    if (WRITE_TOOLS.has(tool) || READ_TOOLS.has(tool)) {
      const raw = str(input['file_path']) ?? str(input['notebook_path']);
      if (raw === undefined || raw.length > 4096) continue;
      const path = posix.isAbsolute(raw) ? posix.normalize(raw) : posix.join(str(d['cwd']) ?? '/', raw);
      const writer = writers.get(path);
      if (READ_TOOLS.has(tool) && writer !== undefined && writer.sessionId !== event.streamId) {
        add({ kind: 'handoff-file', from: writer.sessionId, to: event.streamId, exact: false, at: atOf(event), subject: path },
          () => [writer, touchOf(event, `${tool === 'Read' ? 'read' : 'edited'} ${path}`)]);
      }
      if (WRITE_TOOLS.has(tool) && writer?.sessionId !== event.streamId) writers.set(path, touchOf(event, `${tool === 'Write' ? 'wrote' : 'edited'} ${path}`));
    } else if (tool === 'Bash') {
      const command = str(input['command']) ?? '';
      // A commit is seen through git: other commands' output is not scanned.
      if (!/\bgit\b/.test(command)) continue;
      const stdout = (str(obj(d['tool_response'])['stdout']) ?? '').slice(0, 65536);
      if (/\bcommit\b/.test(command)) {
        for (const made of commitsMade(stdout)) {
          const key = made.hash.slice(0, 7);
          if (!commits.has(key)) commits.set(key, touchOf(event, `committed ${made.hash} on ${made.branch}`));
        }
      }
      for (const hash of hashesIn(`${command}\n${stdout}`)) {
        const made = commits.get(hash.slice(0, 7));
        if (made === undefined || made.sessionId === event.streamId) continue;
        add({ kind: 'handoff-commit', from: made.sessionId, to: event.streamId, exact: false, at: atOf(event), subject: hash.slice(0, 7) },
          () => [made, touchOf(event, `saw commit ${hash.slice(0, 12)}`)]);
      }
    }
  }
  return [...links.values()].sort((a, b) => a.at - b.at);
}

/** The group with the hand-offs between its members among its links (the ones it had stay). */
export function withHandoffs(group: GroupSummary, streams: ReadonlyArray<{ readonly sessionId: string; readonly events: readonly RecordedEvent[] }>): GroupSummary {
  const known = new Set(group.links.map((l) => l.id));
  const found = inferHandoffs(streams).filter((l) => !known.has(l.id));
  return found.length === 0 ? group : { ...group, links: [...group.links, ...found].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)) };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
