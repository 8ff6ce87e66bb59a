import * as z from 'zod';
import type { GroupKind, GroupRole, LinkKind } from '../domain/groups/model';
import type { GroupTimelineWire } from './group-timeline-wire';

// The unified timeline of a group of sessions (issue 16): the model the host builds
// (src/projections/groups/timeline/group-timeline.ts), the messages of its panel
// (src/views/groups/timeline-panel.ts) and the data block of its exported page. The webview
// (webview/group-timeline) imports only types from here, so zod stays out of its bundle; it checks
// what it receives with the wire form's decoder (group-timeline-wire.ts, no zod).

/** How an item is drawn: a state bar, a tool call, a point marker on the state row. */
export type GroupItemLayer = 'state' | 'call' | 'marker';

/** The kind of the outline bar of a member whose events are still being read. */
export const READING_KIND = 'reading';

/** One bar or point of a lane. Times are epoch ms. */
export interface GroupTimelineItem {
  readonly start: number;
  readonly end: number;
  /** Sub-row of the lane: a session lane has its states on row 0 and its calls from row 1. */
  readonly row: number;
  readonly layer: GroupItemLayer;
  /** Untrusted text (a tool name, a prompt's start): drawn as text only. */
  readonly label: string;
  /** A lifecycle state, a call outcome or a marker kind (the report's names). */
  readonly kind: string;
  readonly sessionId: string;
  /** Global position of the event that started it ("open in report"); null when unknown. */
  readonly position: number | null;
  /** Items merged into this one to keep the model bounded; 1 otherwise. */
  readonly count: number;
}

/** A lane: one member session (its states and main-agent calls), or one subagent of a member. */
export interface GroupTimelineLane {
  /** The session id, or "<session id>/<agent id>" for a subagent. */
  readonly id: string;
  readonly sessionId: string;
  readonly agentId: string | null;
  /** The session's title (or short id), or the subagent's type and short id. Untrusted text. */
  readonly label: string;
  readonly shortId: string;
  readonly role: GroupRole | 'subagent';
  /** 0 for a session, 1 for its subagents (drawn indented). */
  readonly depth: number;
  readonly rows: number;
  /** When the lane's session or subagent was running (its first to last event), null if never. */
  readonly span: { readonly start: number; readonly end: number } | null;
  readonly items: readonly GroupTimelineItem[];
  /** Items the lane had before merging (0 when nothing was merged). */
  readonly merged: number;
}

/** One end of an arrow: a moment on a lane. */
export interface GroupArrowEnd {
  /** Index into `lanes`. */
  readonly lane: number;
  readonly sessionId: string;
  readonly at: number;
  /** The event at this end, for "open in report"; null when the link names none. */
  readonly position: number | null;
}

/** A link between two members, drawn as an arrow (dashed when inferred). */
export interface GroupTimelineArrow {
  /** The link's id (SessionLink.id). */
  readonly id: string;
  readonly kind: LinkKind;
  readonly exact: boolean;
  /** A few words: "spawn: sh worker.sh A", "file /w/a.txt ×3". Untrusted text. */
  readonly label: string;
  readonly from: GroupArrowEnd;
  readonly to: GroupArrowEnd;
  /** Inferred links of one kind between the same lanes, close in time, drawn as this one (arrow-budget.ts); absent for one. */
  readonly count?: number;
}

/** The whole view: what the host sends and what an exported page embeds. */
export interface GroupTimelineModel {
  readonly groupId: string;
  readonly kind: GroupKind;
  readonly label: string;
  readonly start: number | null;
  readonly end: number | null;
  readonly lanes: readonly GroupTimelineLane[];
  readonly arrows: readonly GroupTimelineArrow[];
  /**
   * Events read, items drawn, items before merging, links drawn (some merged into one arrow),
   * links that could not be placed (a member without events), and members whose events are still
   * being read (drawn as an outline).
   */
  readonly stats: { readonly events: number; readonly items: number; readonly itemsBeforeMerge: number; readonly links: number; readonly unplacedLinks: number; readonly reading: number };
}

/**
 * What the panel sends: the JSON text of the model's wire form (group-timeline-wire.ts). One
 * string crosses VS Code's IPC and the webview's postMessage far faster than thousands of objects.
 */
export type GroupTimelineState = string;

/** What an exported page reads from its data block (a <script type="application/json">): the wire form. */
export interface StaticGroupTimelineData {
  readonly format: 'agent-logbook-group-timeline';
  readonly version: 2;
  readonly timeline: GroupTimelineWire;
}

/** Webview → host: open the report of a member at one of its events. The host checks the session is a member. */
export const groupTimelineOpenMessage = z.object({
  type: z.literal('open'),
  sessionId: z.string().min(1).max(200),
  position: z.number().int().positive().nullable(),
}).strict();

/** Every webview → host message of the view besides `ready` (the panel manager answers that). */
export const groupTimelineWebviewMessage = z.discriminatedUnion('type', [groupTimelineOpenMessage]);
export type GroupTimelineWebviewMessage = z.infer<typeof groupTimelineWebviewMessage>;
