import * as z from 'zod';

// Host ⇄ webview protocol of the state-machine view (viewType logbook.stateMachine, key = session id).
// The host computes everything (graph, layout, events per state); the webview only draws it.

/** Which of a session's two machines a graph shows. */
export type MachineKind = 'lifecycle' | 'workflow';

/** A point in the diagram's coordinate space (px, origin top left). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** One state, laid out, with what happened there. */
export interface GraphNodeView {
  readonly id: string;
  readonly label: string;
  /** Milliseconds spent in the state. */
  readonly timeMs: number;
  /** timeMs / the machine's total time (0..1): the diagram shades by it. */
  readonly share: number;
  /** Events that happened while the session was in this state. */
  readonly events: number;
  /** Times the state was entered. */
  readonly entries: number;
  readonly current: boolean;
  readonly visited: boolean;
  readonly initial: boolean;
  readonly final: boolean;
  /** False for a state the session was in that the definition does not name. */
  readonly declared: boolean;
  /** Tool uses denied here (workflow hook denials; in the lifecycle also permission denials). */
  readonly denials: number;
  /** Refused transitions and rejected commands issued from here. */
  readonly refusals: number;
  readonly stopBlocks: number;
  readonly reviewRejections: number;
  readonly description: string | null;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A quadratic curve from `start` through `control` to `end` (already clipped to the node borders). */
export interface EdgeGeometry {
  readonly start: Point;
  readonly control: Point;
  readonly end: Point;
  readonly label: Point;
}

/** One move between two states: taken `count` times, refused `refused` times. */
export interface GraphEdgeView {
  /** `<from>→<to>` */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly refused: number;
  /** Allowed by the definition (always true in the lifecycle, whose moves are all observed). */
  readonly declared: boolean;
  readonly guards: readonly string[];
  readonly geometry: EdgeGeometry;
}

/** A machine ready to draw. */
export interface StateGraphView {
  readonly machine: MachineKind;
  readonly title: string;
  readonly nodes: readonly GraphNodeView[];
  readonly edges: readonly GraphEdgeView[];
  readonly current: string | null;
  readonly totalTimeMs: number;
  readonly width: number;
  readonly height: number;
  /** Things the diagram has no place for (e.g. a refusal before the workflow started). */
  readonly notes: readonly string[];
}

/** One event in a state's list. `summary` is untrusted event text: render it as text only. */
export interface StateEventView {
  readonly position: number;
  readonly streamPosition: number;
  readonly type: string;
  readonly at: number | null;
  readonly summary: string;
}

/** The events of the selected state, newest last (capped: `total` says how many there are). */
export interface StateEventsView {
  readonly machine: MachineKind;
  /** Null: the events before the workflow started (workflow machine only). */
  readonly state: string | null;
  readonly total: number;
  readonly events: readonly StateEventView[];
}

/** The full state the host sends. */
export interface StateMachineViewState {
  readonly key: string;
  readonly sessionId: string;
  readonly workspace: string;
  readonly lifecycleState: string;
  readonly workflowState: string | null;
  readonly lastEventAt: number | null;
  readonly lifecycle: StateGraphView;
  /** Null when the session has no workflow. */
  readonly workflow: StateGraphView | null;
  /** Why the workflow graph lacks its definition, if it does. */
  readonly workflowNote: string | null;
  readonly selection: StateEventsView | null;
}

/** The UI state a webview keeps across reloads (sent back with `selectState` on revive). */
export interface StateMachineUiState {
  readonly machine: MachineKind;
  readonly selected: string | null;
  /** Whether the "before the workflow" bucket is selected (selected is null then). */
  readonly outside?: boolean;
}

const machineKind = z.enum(['lifecycle', 'workflow']);

/** Webview → host messages (besides `ready`). */
export const stateMachineWebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('openReport'), sessionId: z.string().min(1).max(200) }).strict(),
  /** Lists the events of a state (state null = before the workflow; clear = deselect). */
  z.object({ type: z.literal('selectState'), machine: machineKind, state: z.string().min(1).max(200).nullable(), clear: z.boolean().optional() }).strict(),
]);
export type StateMachineWebviewMessage = z.infer<typeof stateMachineWebviewMessage>;

/** How many events of one state a snapshot carries at most (the newest). */
export const MAX_STATE_EVENTS = 500;
