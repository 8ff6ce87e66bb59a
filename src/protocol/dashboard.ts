import * as z from 'zod';
import type { SessionOverview } from '../projections/overview/session-overview';

// Host ⇄ webview protocol of the Sessions dashboard (viewType logbook.dashboard; key 'all'). The
// host sends one row per session of every workspace in the window (a SessionListing of
// session-query.ts without its token sums, priced on the host), then, while the
// panel is open, only the rows a change touched (`delta`). The webview filters and sorts with
// querySessions (dashboard-select.ts), so the CLI's `logbook sessions` and the dashboard agree.
// Titles, branches, workflows and tags come from events: the webview renders them as text only.

/**
 * A session's overview row as the dashboard gets it: all of it but the token sums (priced on the
 * host), the transcript path and the store position. The state is any text here (a webview
 * checks nothing against the lifecycle's names).
 */
export type DashboardOverview = Omit<SessionOverview, 'usage' | 'transcriptPath' | 'lastPosition' | 'lifecycleState'> & { readonly lifecycleState: string };

/** One session of the dashboard: its overview and what listingOf derives from it. */
export interface DashboardRow {
  /** Unique in the window: the workspace folder and the session id. */
  readonly key: string;
  /** The workspace folder's name. */
  readonly workspace: string;
  readonly row: DashboardOverview;
  /** live, idle, ended… at the time the host shaped the row. */
  readonly status: string;
  readonly durationMs: number;
  readonly tokens: number;
  readonly costUsd: number;
}

/**
 * A group of sessions that work together (issue 16: a run, a session and those its tools started, a
 * team), shown as one expandable row over its members' rows. Figures are the whole group's.
 */
export interface DashboardGroup {
  /** Unique in the window: the workspace folder and the group id. */
  readonly key: string;
  /** run:NAME, team:NAME or tree:SESSION. */
  readonly groupId: string;
  /** The workspace folder's path (the group commands take it) and name (shown). */
  readonly folder: string;
  readonly workspace: string;
  readonly kind: string;
  /** A run or team name, or the root session's title: untrusted text. */
  readonly label: string;
  /** Its members' row keys, parents before their children, with their roles. */
  readonly members: readonly { readonly key: string; readonly role: string }[];
  readonly firstEventAt: number | null;
  readonly lastEventAt: number | null;
  readonly spanMs: number;
  readonly activeMs: number;
  readonly costUsd: number;
  readonly tokens: number;
  readonly failures: number;
  readonly links: number;
}

/** The full state the host sends. */
export interface DashboardState {
  readonly key: string;
  /** The workspace folders' names (a workspace column shows when there are several). */
  readonly workspaces: readonly string[];
  readonly rows: readonly DashboardRow[];
  /** Epoch ms when the rows were shaped. */
  readonly at: number;
  /** The webview reports how long it took to paint, filter and sort (LOGBOOK_BENCH_TIMINGS=1). */
  readonly timings: boolean;
  /**
   * False: `rows` are only the newest FIRST_PAGE_ROWS sessions, enough to paint the first screen
   * at once; the webview asks for the rest (`rest`) once it painted them.
   */
  readonly complete: boolean;
  /** Sessions in the window, `rows` or not. */
  readonly total: number;
  /** Every group of the window's workspaces. */
  readonly groups: readonly DashboardGroup[];
}

/** Sessions a first state holds when there are more: a screen or two. */
export const FIRST_PAGE_ROWS = 100;

/** Rows a change touched: new or changed rows replace theirs by key; removed keys go. */
export interface DashboardDelta {
  readonly upsert: readonly DashboardRow[];
  readonly remove: readonly string[];
  readonly at: number;
  /** The answer to `rest`: every row as it is now (the state is complete after it). */
  readonly rest?: boolean;
  /** The answer to `searchPrompts`: the rows with a prompt holding every word of `text`. */
  readonly prompts?: PromptMatches;
  /** Every group, when they changed (they replace the groups held). */
  readonly groups?: readonly DashboardGroup[];
}

/** Rows found by their prompts for a free text (the store's prompt index). */
export interface PromptMatches {
  readonly text: string;
  readonly keys: readonly string[];
  /** False when a workspace's store has no prompt index yet (its writer adds it when it next opens it). */
  readonly indexed: boolean;
}

const text = z.string().max(1_000_000);
const count = z.number().int().min(0);
const time = z.number().finite().nullable();

export const dashboardOverviewSchema = z.object({
  sessionId: z.string().min(1).max(200),
  title: text.nullable(),
  branch: text.nullable(),
  workflow: text.nullable(),
  workflowState: text.nullable(),
  lifecycleState: text,
  ended: z.boolean(),
  endReason: text.nullable(),
  model: text.nullable(),
  firstEventAt: time,
  lastEventAt: time,
  events: count,
  prompts: count,
  toolCalls: count,
  toolFailures: count,
  denials: count,
  rejections: count,
  refusals: count,
  iterations: count,
  transitions: count,
  compactions: count,
  subagents: count,
  filesTouched: count,
  journalEntries: count,
  tags: z.array(text),
  importedEvents: count,
  workflowHash: text.nullable(),
  lifecycleMs: z.record(z.string().max(200), z.number().finite().min(0)),
  workflowMs: z.record(z.string().max(200), z.number().finite().min(0)),
}).strict();

export const dashboardRowSchema = z.object({
  key: z.string().min(1),
  workspace: text,
  row: dashboardOverviewSchema,
  status: text,
  durationMs: z.number().finite().min(0),
  tokens: z.number().finite().min(0),
  costUsd: z.number().finite().min(0),
}).strict();

export const dashboardGroupSchema = z.object({
  key: z.string().min(1),
  groupId: z.string().min(1),
  folder: text,
  workspace: text,
  kind: text,
  label: text,
  members: z.array(z.object({ key: z.string().min(1), role: text }).strict()),
  firstEventAt: time,
  lastEventAt: time,
  spanMs: z.number().finite().min(0),
  activeMs: z.number().finite().min(0),
  costUsd: z.number().finite().min(0),
  tokens: z.number().finite().min(0),
  failures: count,
  links: count,
}).strict();

/** Host → webview: the whole state (`state`) or the rows a change touched (`delta`). */
export const dashboardHostMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('state'),
    state: z.object({
      key: z.string().min(1), workspaces: z.array(text), rows: z.array(dashboardRowSchema), at: z.number().finite(), timings: z.boolean(), complete: z.boolean(), total: count,
      groups: z.array(dashboardGroupSchema),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal('delta'),
    delta: z.object({
      upsert: z.array(dashboardRowSchema), remove: z.array(z.string().min(1)), at: z.number().finite(), rest: z.boolean().optional(),
      prompts: z.object({ text: z.string(), keys: z.array(z.string().min(1)), indexed: z.boolean() }).strict().optional(),
      groups: z.array(dashboardGroupSchema).optional(),
    }).strict(),
  }).strict(),
  z.object({ type: z.literal('error'), message: z.string() }).strict(),
]);

/** How many sessions one export may name (a year of heavy use is a few thousand). */
export const MAX_EXPORT_ROWS = 200_000;

const sessionId = z.string({ error: 'sessionId must be a string' }).min(1, 'sessionId must not be empty').max(200, 'sessionId is longer than 200 characters');
const rowKey = z.string({ error: 'a key must be a string' }).min(1, 'a key must not be empty').max(5000, 'a key is longer than 5000 characters');

/** Webview → host messages (besides `ready`). */
export const dashboardWebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('openReport'), sessionId }).strict(),
  /** A group row's buttons: its unified timeline, or "Discuss with Claude" (the group commands). */
  z.object({
    type: z.literal('group'),
    action: z.enum(['timeline', 'discuss'], { error: 'action must be "timeline" or "discuss"' }),
    groupId: z.string({ error: 'groupId must be a string' }).min(1, 'groupId must not be empty').max(600, 'groupId is longer than 600 characters'),
    folder: z.string({ error: 'folder must be a string' }).min(1, 'folder must not be empty').max(4096, 'folder is longer than 4096 characters'),
  }).strict(),
  /** The rows a first state left out (after its first paint). */
  z.object({ type: z.literal('rest') }).strict(),
  /** The rows with a prompt holding every word of the free-text filter (answered by a delta's `prompts`). */
  z.object({ type: z.literal('searchPrompts'), text: z.string({ error: 'text must be a string' }).max(500, 'text is longer than 500 characters') }).strict(),
  /** Writes the rows with these keys, in this order, to a file the user picks (html: the table and its trends, in one page). */
  z.object({
    type: z.literal('export'),
    format: z.enum(['csv', 'json', 'html'], { error: 'format must be "csv", "json" or "html"' }),
    keys: z.array(rowKey, { error: 'keys must be an array of row keys' }).max(MAX_EXPORT_ROWS, `keys names more than ${MAX_EXPORT_ROWS} sessions`),
    /** For html: the trends' buckets, and the filters in words (printed in the page, as text). */
    by: z.enum(['day', 'week'], { error: 'by must be "day" or "week"' }).optional(),
    selection: z.string({ error: 'selection must be a string' }).max(4000, 'selection is longer than 4000 characters').optional(),
  }).strict(),
  /** Compare: two rows side by side, or one row with the median of a cohort ("all", or the rows shown). */
  z.object({
    type: z.literal('compare'),
    keys: z.array(rowKey, { error: 'keys must be an array of row keys' }).min(1, 'keys must name one or two rows').max(2, 'keys must name one or two rows'),
    cohort: z.union([z.literal('all'), z.array(rowKey).max(MAX_EXPORT_ROWS, `cohort names more than ${MAX_EXPORT_ROWS} sessions`)], { error: 'cohort must be "all" or an array of row keys' }),
  }).strict(),
  /** Opens the Patterns panel with the rows with these keys as the cohort. */
  z.object({
    type: z.literal('patterns'),
    keys: z.array(rowKey, { error: 'keys must be an array of row keys' }).max(MAX_EXPORT_ROWS, `keys names more than ${MAX_EXPORT_ROWS} sessions`),
  }).strict(),
  /** "Discuss with Claude" for the trends of the rows with these keys, per day or week: copy the prompt, or start Claude with it. */
  z.object({
    type: z.literal('trends/discuss'),
    action: z.enum(['copy', 'terminal'], { error: 'action must be "copy" or "terminal"' }),
    by: z.enum(['day', 'week'], { error: 'by must be "day" or "week"' }),
    keys: z.array(rowKey, { error: 'keys must be an array of row keys' }).max(MAX_EXPORT_ROWS, `keys names more than ${MAX_EXPORT_ROWS} sessions`),
  }).strict(),
  /** How long the webview took (only when the state asked for timings). */
  z.object({
    type: z.literal('timing'),
    name: z.enum(['firstPaint', 'allRows', 'filter', 'sort'], { error: 'name must be firstPaint, allRows, filter or sort' }),
    ms: z.number({ error: 'ms must be a number' }).finite('ms must be finite').min(0, 'ms must not be negative'),
    rows: count,
  }).strict(),
]);
export type DashboardWebviewMessage = z.infer<typeof dashboardWebviewMessage>;
