import { posix } from 'node:path';
import type { RecordedEvent } from '../../store/event-store';
import type { GroupSummary, LinkEvidence, SessionLink } from '../../domain/groups/model';
import { commitsMade, hashesIn } from './commit-text';
import { linkId, touchOf, WHAT_MAX } from './link-fold';
import type { Touch } from './link-fold';
import { oneLine } from '../../domain/one-line';

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

/**
 * What one PostToolUse of a member contributes to hand-offs: a file it wrote or read, or the
 * commits a git command of it made and the hashes it named. Taken per stream (handoffActs), so a
 * member's acts can be kept and extended with its new events (the unified timeline's member folds)
 * instead of its whole stream being read again. `event` is the evidence without its words; the
 * words are written when a link is made.
 */
export type HandoffAct =
  | { readonly kind: 'file'; readonly event: LinkEvidence; readonly tool: string; readonly path: string }
  | { readonly kind: 'git'; readonly event: LinkEvidence; readonly made: ReadonlyArray<{ readonly key: string; readonly touch: LinkEvidence }>; readonly hashes: readonly string[] };

/** The hand-off acts of one stream's events, in its order. */
export function handoffActs(events: readonly RecordedEvent[]): HandoffAct[] {
  const acts: HandoffAct[] = [];
  for (const event of events) {
    if (event.type !== 'PostToolUse') continue;
    const act = actOf(event);
    if (act !== undefined) acts.push(act);
  }
  return acts;
}

function actOf(event: RecordedEvent): HandoffAct | undefined {
  const d = obj(event.data);
  const tool = str(d['tool_name']);
  if (tool === undefined) return undefined;
  const input = obj(d['tool_input']);
  if (WRITE_TOOLS.has(tool) || READ_TOOLS.has(tool)) {
    const raw = str(input['file_path']) ?? str(input['notebook_path']);
    if (raw === undefined || raw.length > 4096) return undefined;
    const path = posix.isAbsolute(raw) ? posix.normalize(raw) : posix.join(str(d['cwd']) ?? '/', raw);
    return { kind: 'file', event: touchOf(event, ''), tool, path };
  }
  if (tool !== 'Bash') return undefined;
  const command = str(input['command']) ?? '';
  // A commit is seen through git: other commands' output is not scanned.
  if (!/\bgit\b/.test(command)) return undefined;
  const stdout = (str(obj(d['tool_response'])['stdout']) ?? '').slice(0, 65536);
  const made = /\bcommit\b/.test(command) ? commitsMade(stdout).map((m) => ({ key: m.hash.slice(0, 7), touch: touchOf(event, `committed ${m.hash} on ${m.branch}`) })) : [];
  const hashes = hashesIn(`${command}\n${stdout}`);
  if (made.length === 0 && hashes.length === 0) return undefined;
  return { kind: 'git', event: touchOf(event, ''), made, hashes };
}

/** The file and commit hand-offs between these streams (a group's members), oldest first. */
export function inferHandoffs(streams: ReadonlyArray<{ readonly sessionId: string; readonly events: readonly RecordedEvent[] }>): SessionLink[] {
  return handoffsOf(streams.map((s) => handoffActs(s.events)));
}

/** The hand-offs between members, given each member's acts (handoffActs), oldest first. */
export function handoffsOf(members: ReadonlyArray<readonly HandoffAct[]>): SessionLink[] {
  const acts = members.flat().sort((a, b) => a.event.position - b.event.position);
  const writers = new Map<string, Touch>();
  const commits = new Map<string, Touch>();
  const links = new Map<string, SessionLink>();
  const add = (link: Omit<SessionLink, 'id' | 'evidence'>, evidence: () => readonly LinkEvidence[]): void => {
    const id = linkId(link.kind, link.from, link.to, link.subject);
    if (!links.has(id)) links.set(id, { id, ...link, evidence: evidence() });
  };
  for (const act of acts) {
    const { sessionId, at } = act.event;
    if (act.kind === 'file') {
      const { tool, path } = act;
      const writer = writers.get(path);
      if (READ_TOOLS.has(tool) && writer !== undefined && writer.sessionId !== sessionId) {
        add({ kind: 'handoff-file', from: writer.sessionId, to: sessionId, exact: false, at, subject: path }, () => [writer, said(act.event, `${tool === 'Read' ? 'read' : 'edited'} ${path}`)]);
      }
      if (WRITE_TOOLS.has(tool) && writer?.sessionId !== sessionId) writers.set(path, said(act.event, `${tool === 'Write' ? 'wrote' : 'edited'} ${path}`));
      continue;
    }
    for (const made of act.made) if (!commits.has(made.key)) commits.set(made.key, made.touch);
    for (const hash of act.hashes) {
      const made = commits.get(hash.slice(0, 7));
      if (made === undefined || made.sessionId === sessionId) continue;
      add({ kind: 'handoff-commit', from: made.sessionId, to: sessionId, exact: false, at, subject: hash.slice(0, 7) },
        () => [made, said(act.event, `saw commit ${hash.slice(0, 12)}`)]);
    }
  }
  return [...links.values()].sort((a, b) => a.at - b.at);
}

/** The group with the hand-offs between its members among its links (the ones it had stay). */
export function withHandoffs(group: GroupSummary, streams: ReadonlyArray<{ readonly sessionId: string; readonly events: readonly RecordedEvent[] }>): GroupSummary {
  return withLinks(group, inferHandoffs(streams));
}

/** The group with these inferred links among its links (the ones it had stay). */
export function withLinks(group: GroupSummary, inferred: readonly SessionLink[]): GroupSummary {
  const known = new Set(group.links.map((l) => l.id));
  const found = inferred.filter((l) => !known.has(l.id));
  return found.length === 0 ? group : { ...group, links: [...group.links, ...found].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)) };
}

// An act's event as evidence, with what it did (as touchOf words it).
function said(event: LinkEvidence, what: string): LinkEvidence {
  return { ...event, what: oneLine(what, WHAT_MAX) };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
