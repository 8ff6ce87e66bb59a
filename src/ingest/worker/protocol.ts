import { z } from 'zod';

// The messages between LiveIngest (the extension host's main thread) and its ingest worker
// (ingest-worker.ts, where the workspace's single writer runs). Each side checks what it receives
// against these schemas: a message that does not parse is named and dropped, never acted on.
// Requests carry an id; the worker answers each with one reply of that id, in the order sent.

const redactionSettings = z.object({
  patterns: z.array(z.object({ name: z.string(), pattern: z.string(), flags: z.string().optional() }).strict()).readonly().optional(),
  disabled: z.array(z.string()).readonly().optional(),
  paths: z.array(z.string()).readonly().optional(),
}).strict();

/** What the worker is started with (workerData). */
export const workerInit = z.object({
  workspace: z.string().min(1),
  owner: z.string().min(1),
}).strict();
export type WorkerInit = z.infer<typeof workerInit>;

/** The settings read at every pass on the main thread (VS Code's configuration lives there). */
const settings = z.object({ maxFieldBytes: z.number().int().positive(), redaction: redactionSettings }).strict();
export type WriterSettings = z.infer<typeof settings>;

export const writerRequest = z.discriminatedUnion('type', [
  /** Take the lock and open the store; answered with `started`. */
  z.object({ type: z.literal('start'), id: z.number().int(), settings }).strict(),
  /** One pass (two when usage is read from transcripts); answered with `ingested`. */
  z.object({ type: z.literal('ingest'), id: z.number().int(), settings }).strict(),
  /** Snapshots due, then the inbox entries whose events are committed leave it; answered with `done`. */
  z.object({ type: z.literal('flush'), id: z.number().int() }).strict(),
  /** One step of the full-text index and the catalog snapshot's fold; answered with `idle`. */
  z.object({ type: z.literal('idle'), id: z.number().int(), limit: z.number().int().positive() }).strict(),
  /** Heartbeat the lock, or say it was lost; answered with `owned`. */
  z.object({ type: z.literal('tick'), id: z.number().int() }).strict(),
  /** Final flush, lock released, store closed; answered with `done`, then the worker's port closes. */
  z.object({ type: z.literal('close'), id: z.number().int() }).strict(),
]);
export type WriterRequest = z.infer<typeof writerRequest>;

/** What LiveIngest needs of a pass: the counts and the problems to tell. */
const ingestSummary = z.object({
  appended: z.number().int(),
  duplicates: z.number().int(),
  quarantined: z.number().int(),
  unreadableFiles: z.array(z.string()),
  problems: z.array(z.string()),
  usageProblems: z.array(z.string()),
  usageEvents: z.number().int(),
  sessions: z.array(z.string()),
}).strict();
export type IngestSummary = z.infer<typeof ingestSummary>;

const result = z.union([
  z.object({ type: z.literal('started'), writer: z.literal(true), messages: z.array(z.string()), lockToken: z.string() }).strict(),
  z.object({ type: z.literal('started'), writer: z.literal(false), holder: z.string() }).strict(),
  z.object({ type: z.literal('ingested'), report: ingestSummary, pendingFlush: z.boolean() }).strict(),
  z.object({ type: z.literal('idle'), done: z.number().int(), pendingFlush: z.boolean() }).strict(),
  z.object({ type: z.literal('owned'), owned: z.boolean() }).strict(),
  z.object({ type: z.literal('done') }).strict(),
]);
export type WriterResult = z.infer<typeof result>;

export const workerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reply'), id: z.number().int(), result }).strict(),
  /** The request failed; `writerClosed`: the worker closed its writer (it no longer holds the lock). */
  z.object({ type: z.literal('failed'), id: z.number().int(), error: z.string(), writerClosed: z.boolean() }).strict(),
  z.object({ type: z.literal('log'), message: z.string() }).strict(),
]);
export type WorkerMessage = z.infer<typeof workerMessage>;

/** A zod problem as one line naming the field. */
export function describeProblem(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`).join('; ');
}
