import * as z from 'zod';
import type { RecordedEvent } from '../../store/event-store';
import type { SessionOrigin } from '../../domain/groups/model';
import { eventTimeMs } from '../../domain/lifecycle-time';

// The LogbookOrigin event (written by the hook launcher at a SessionStart, launcher-origin.ts) read
// back: untrusted text from a process tree and an environment, so every field is checked and
// bounded; a field that does not read is left out, never the event.

/** A session's origin and the event that recorded it. */
export interface RecordedOrigin extends SessionOrigin {
  readonly eventId: string;
  readonly at: number;
  /** The parent's tool shell command line, as its process showed it (to tell which call). */
  readonly parentCommand?: string;
  readonly projectDir?: string;
  /** Where the parent came from: the inherited environment (a Bash tool), or a teammate's --parent-session-id. */
  readonly parentVia?: 'environment' | 'argument';
}

const text = (max: number): z.ZodType<string | undefined> => z.string().min(1).max(max).optional().catch(undefined);
const id = z.string().regex(/^[0-9A-Za-z_-]{1,128}$/).optional().catch(undefined);

const originData = z.object({
  run: text(256),
  parent_session_id: id,
  parent_command: text(8192),
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/).optional().catch(undefined),
  project_dir: text(4096),
  worktree: text(4096),
  branch: text(256),
  team: text(256),
  agent_name: text(256),
  parent_via: z.enum(['environment', 'argument']).optional().catch(undefined),
});

/** The origin an event records, or undefined when its data is not an object. */
export function readOrigin(event: RecordedEvent, data: Readonly<Record<string, unknown>>): RecordedOrigin | undefined {
  const parsed = originData.safeParse(data);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  const origin: RecordedOrigin = {
    eventId: event.eventId,
    at: eventTimeMs(event) ?? 0,
    ...(d.run === undefined ? {} : { run: d.run }),
    ...(d.parent_session_id === undefined ? {} : { parentSessionId: d.parent_session_id }),
    ...(d.parent_command === undefined ? {} : { parentCommand: d.parent_command }),
    ...(d.traceparent === undefined ? {} : { traceparent: d.traceparent }),
    ...(d.project_dir === undefined ? {} : { projectDir: d.project_dir }),
    ...(d.worktree === undefined ? {} : { worktree: d.worktree }),
    ...(d.branch === undefined ? {} : { branch: d.branch }),
    ...(d.team === undefined ? {} : { team: d.team }),
    ...(d.agent_name === undefined ? {} : { agentName: d.agent_name }),
    ...(d.parent_via === undefined ? {} : { parentVia: d.parent_via }),
  };
  return origin;
}
