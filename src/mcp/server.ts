import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { version } from '../../package.json';
import { logbookPaths } from '../capture/paths';
import type { LogbookPaths } from '../capture/paths';
import { LogbookError } from '../domain/errors';
import { SEARCH_QUERY_MAX_CHARS } from '../domain/search-query';
import type { JournalFileRef } from '../domain/workflow/types';
import { eventsSearch, journalRead, journalWrite, reviewRecord, workflowStatus, workflowTransition } from './tools';
import type { ToolOutcome } from './tools';

// `logbook mcp`: the workflow, the journal and the event search as MCP tools. Agents see them as
// mcp__logbook__<name>, so the names below are part of the product.

/** One row of the tool table: its input schema is what the SDK validates and lists. */
interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType;
  readonly readOnly: boolean;
  readonly run: (paths: LogbookPaths, input: unknown) => Promise<ToolOutcome>;
}

function defineTool<S extends z.ZodType>(name: string, description: string, input: S, readOnly: boolean, run: (paths: LogbookPaths, input: z.output<S>) => Promise<ToolOutcome>): ToolDefinition {
  // The SDK parses the arguments with this very schema before the call, so they have its output type.
  return { name, description, input, readOnly, run: (paths, parsed) => run(paths, parsed as z.output<S>) };
}

const nonBlank = (what: string): z.ZodString => z.string().min(1).refine((s) => s.trim() !== '', `must not be blank`).describe(what);
const session = z.string().min(1).optional()
  .describe('Claude Code session id (given at session start). Default: the most recently active session of this workspace.');
const limit = z.number().int().min(1).max(500).default(20).describe('How many to return (the newest), default 20.');

/** "src/a.ts:12" → {path, line}; a path without a line stays whole. */
function parseFileRef(text: string): JournalFileRef {
  const match = /^(.*):(\d+)$/.exec(text);
  return match === null ? { path: text } : { path: match[1] as string, line: Number(match[2]) };
}

const fileRef = z.union([
  z.string().min(1).refine((s) => !/:0+$/.test(s), 'line numbers start at 1').transform(parseFileRef),
  z.strictObject({ path: z.string().min(1), line: z.number().int().min(1).optional() }),
], { error: 'expected "path", "path:line" (lines start at 1) or {path, line?}' }).describe('"path" or "path:line", or {path, line?}');

export const TOOLS: readonly ToolDefinition[] = [
  defineTool('workflow_status',
    "The session's workflow: current state and its instructions, the transitions allowed from here (with the guards still unmet), the tool rules of this state, journal entries still needed before stopping, and whether a review is expected. Call it first, and whenever unsure what to do next.",
    z.strictObject({ session }), true, workflowStatus),
  defineTool('workflow_transition',
    'Move the workflow to another state. A refused move is an error that says why and which states are allowed now; it is recorded too, so check workflow_status first.',
    z.strictObject({ to: nonBlank('The state to move to.'), reason: nonBlank('Why the move is due now (recorded).'), session }), false, workflowTransition),
  defineTool('journal_write',
    'Write a journal entry: what was done, found or decided, and why. Plans, changes and hand-overs belong here; some transitions and stopping need one.',
    z.strictObject({
      text: nonBlank('The entry itself.'),
      tags: z.array(z.string().min(1)).optional().describe('Short labels to find the entry again, e.g. ["plan", "parser"].'),
      files: z.array(fileRef).optional().describe('Files (and lines) the entry is about.'),
      session,
    }), false, journalWrite),
  defineTool('journal_read',
    'Read journal entries across sessions, oldest first, newest last (including those not ingested yet): what earlier agents did and decided. Filter by session, tag or text.',
    z.strictObject({
      session: z.string().min(1).optional().describe('Only this session (default: every session).'),
      tag: z.string().min(1).optional().describe('Only entries with this tag.'),
      text: z.string().min(1).optional().describe('Only entries whose text contains this (case-insensitive).'),
      limit,
    }), true, journalRead),
  defineTool('review_record',
    'Record the outcome of a review, in the review state only: approved lets the work move on, rejected sends it back with your notes.',
    z.strictObject({
      outcome: z.enum(['approved', 'rejected']).describe('"approved" or "rejected".'),
      notes: z.string().optional().describe('What was found; for a rejection, what must change.'),
      session,
    }), false, reviewRecord),
  defineTool('events_search',
    'Full-text search of the recorded events (prompts, tool calls and their output, journal, workflow). One line per event: global position, session, type, time, summary. Query syntax: words, "quoted phrases", prefix*, AND / OR / NOT.',
    z.strictObject({ query: nonBlank('The full-text query.').max(SEARCH_QUERY_MAX_CHARS), session: z.string().min(1).optional().describe('Only this session (default: every session).'), limit }),
    true, eventsSearch),
];

const INSTRUCTIONS = [
  'Agent Logbook records this Claude Code session and runs its workflow (.logbook/workflow.json).',
  'Call workflow_status to learn the current state, its instructions and where you may go next; move with workflow_transition;',
  'write what you did and decided with journal_write; read what earlier sessions did with journal_read; search past events with events_search.',
  'Pass `session` (your session id, given at session start) when several sessions run in this workspace.',
].join(' ');

/** The text of a failure the agent must read; workflow file problems keep their details. */
function errorText(error: unknown): string {
  if (error instanceof LogbookError && error.code === 'WORKFLOW_INVALID') return `The workflow file is invalid:\n${error.message}`;
  // ToolError (a wrong session, no session to default to) and the rest: the message says it all.
  if (error instanceof Error) return error.message;
  return String(error);
}

function resultOf(outcome: ToolOutcome): CallToolResult {
  return { content: [{ type: 'text', text: outcome.text }], ...(outcome.isError ? { isError: true } : {}) };
}

/** The server for one workspace, and a promise that settles when no tool call is running. */
export function createMcpServer(workspace: string): { server: McpServer; idle: () => Promise<void> } {
  const paths = logbookPaths(workspace);
  const server = new McpServer({ name: 'logbook', version }, { instructions: INSTRUCTIONS });
  // One call at a time: each decides against the state the previous one left in the inbox.
  let queue: Promise<unknown> = Promise.resolve();
  for (const tool of TOOLS) {
    server.registerTool(tool.name, {
      description: tool.description,
      inputSchema: tool.input,
      annotations: { readOnlyHint: tool.readOnly, destructiveHint: false, idempotentHint: tool.readOnly, openWorldHint: false },
    }, async (args: unknown): Promise<CallToolResult> => {
      const call = queue.then(() => tool.run(paths, args));
      queue = call.catch(() => undefined);
      return resultOf(await call.catch((error: unknown) => ({ text: errorText(error), isError: true })));
    });
  }
  return { server, idle: () => queue.then(() => undefined) };
}

/** Serves on stdin/stdout until the client closes stdin; stdout carries nothing but the protocol. */
export async function serveStdio(workspace: string, stdin: NodeJS.ReadableStream = process.stdin, stdout: NodeJS.WritableStream = process.stdout): Promise<void> {
  const { server, idle } = createMcpServer(workspace);
  const closed = new Promise<void>((resolve) => {
    stdin.once('end', resolve);
    stdin.once('close', resolve);
    // A client gone away: nothing left to answer.
    stdout.once('error', resolve);
    server.server.onclose = resolve;
  });
  await server.connect(new StdioServerTransport(stdin as typeof process.stdin, stdout as typeof process.stdout));
  await closed;
  await idle();
  await server.close();
}
