// A deterministic mock of the Anthropic Messages API for driving the real Claude Code CLI offline.
//
// The CLI calls `HEAD /` (reachability probe) and then `POST /v1/messages?beta=true` with
// `stream: true`. Every request is answered from a scripted list of assistant turns. Requests are
// routed by their content, not by arrival order, so the answers stay right even when the CLI
// retries a request or interleaves a subagent's requests with the main agent's:
//   1. compaction: the last user message carries the CLI's summary instruction
//      ("CRITICAL: Respond with TEXT ONLY" / "create a detailed summary"); the whole conversation,
//      including the main marker, is in that request, so this check runs first;
//   2. scripted agents: the marker of a script (e.g. "LOGBOOK-MAIN:", "LOGBOOK-SUB:") appears in
//      the FIRST user message: the user prompt of the main agent, the Agent tool's `prompt` for a
//      subagent. Within a script, the turn is chosen by the tool_result ids in the last user
//      message (answer = the turn after the one that issued that tool_use), turn 0 otherwise;
//      a turn with `whenLastUserIncludes` is chosen first when the last user message's text holds
//      that text (e.g. the feedback Claude Code sends after a Stop hook blocked: no tool_result
//      there, so without it the request would fall back to turn 0);
//   3. anything else (title generation, classifiers, future auxiliary calls): a short text answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens: number;
  readonly cache_read_input_tokens: number;
}

export type MockBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: Readonly<Record<string, unknown>> };

export interface MockTurn {
  readonly blocks: readonly MockBlock[];
  readonly usage: MockUsage;
  /**
   * Answer with this turn when the last user message's text (tool results excluded) contains
   * this string; checked before the tool_result routing. Turns without it behave as before.
   */
  readonly whenLastUserIncludes?: string;
}

export interface MockScript {
  /** Name used in the request log, e.g. "main" or "sub". */
  readonly name: string;
  /** Text that identifies this script's conversation in the first user message. */
  readonly marker: string;
  readonly turns: readonly MockTurn[];
}

export interface MockOptions {
  /** Checked in order; put the more specific markers first if one contains another. */
  readonly scripts: readonly MockScript[];
  /** Answer to a compaction (summary) request. */
  readonly compaction: MockTurn;
  /** Answer to any request no script claims. */
  readonly fallback: MockTurn;
  /**
   * Called (and awaited) before a script's turn is answered: a test acts between two turns of
   * the model (holds a session before the next tool call, say).
   */
  readonly beforeTurn?: (script: string, turn: number) => Promise<void> | void;
}

export type RouteKind = 'probe' | 'script' | 'compaction' | 'auxiliary' | 'count_tokens' | 'unknown';

export interface RecordedRequest {
  readonly n: number;
  readonly receivedAt: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON body, or undefined for bodiless / non-JSON requests. */
  readonly body: unknown;
  readonly route: {
    readonly kind: RouteKind;
    readonly script?: string;
    readonly turn?: number;
    readonly stream?: boolean;
  };
}

export interface MockAnthropic {
  readonly url: string;
  readonly port: number;
  /** Every request received so far, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

/** Markers the CLI puts in its compaction request (verified in the 2.1.197 binary and the fixture capture). */
const COMPACTION_MARKERS = ['CRITICAL: Respond with TEXT ONLY', 'create a detailed summary'];

interface ChosenAnswer {
  readonly turn: MockTurn;
  readonly route: RecordedRequest['route'];
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** All text of one message's content (string or block list), tool_result text included. */
function messageText(message: unknown): string {
  if (!isObject(message)) return '';
  const content = message['content'];
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const block of content) {
    if (!isObject(block)) continue;
    if (typeof block['text'] === 'string') parts.push(block['text']);
  }
  return parts.join('\n');
}

function messagesOf(body: unknown): unknown[] {
  if (!isObject(body)) return [];
  const messages = body['messages'];
  return Array.isArray(messages) ? messages : [];
}

function roleOf(message: unknown): string {
  return isObject(message) && typeof message['role'] === 'string' ? message['role'] : '';
}

function toolResultIds(message: unknown): string[] {
  if (!isObject(message) || !Array.isArray(message['content'])) return [];
  const ids: string[] = [];
  for (const block of message['content']) {
    if (isObject(block) && block['type'] === 'tool_result' && typeof block['tool_use_id'] === 'string') ids.push(block['tool_use_id']);
  }
  return ids;
}

function chooseAnswer(options: MockOptions, body: unknown): ChosenAnswer {
  const messages = messagesOf(body);
  const stream = isObject(body) && body['stream'] === true;
  const userMessages = messages.filter((m) => roleOf(m) === 'user');
  const last = userMessages[userMessages.length - 1];
  const lastText = messageText(last);
  if (COMPACTION_MARKERS.some((marker) => lastText.includes(marker))) {
    return { turn: options.compaction, route: { kind: 'compaction', stream } };
  }
  const firstText = messageText(userMessages[0]);
  const script = options.scripts.find((s) => firstText.includes(s.marker));
  if (script === undefined) return { turn: options.fallback, route: { kind: 'auxiliary', stream } };

  const byText = script.turns.findIndex((t) => t.whenLastUserIncludes !== undefined && lastText.includes(t.whenLastUserIncludes));
  const answered = new Set(toolResultIds(last));
  let index = 0;
  if (byText >= 0) {
    index = byText;
  } else if (answered.size > 0) {
    const issuing = script.turns.findIndex((t) => t.blocks.some((b) => b.type === 'tool_use' && answered.has(b.id)));
    // A tool result the script never issued means the conversation went off script: end it politely.
    index = issuing < 0 ? script.turns.length : issuing + 1;
  }
  const turn = script.turns[index];
  if (turn === undefined) return { turn: options.fallback, route: { kind: 'auxiliary', script: script.name, turn: index, stream } };
  return { turn, route: { kind: 'script', script: script.name, turn: index, stream } };
}

function stopReasonOf(turn: MockTurn): 'tool_use' | 'end_turn' {
  return turn.blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
}

function splitInTwo(text: string): string[] {
  if (text.length < 2) return [text];
  const mid = Math.floor(text.length / 2);
  return [text.slice(0, mid), text.slice(mid)];
}

function sse(res: ServerResponse, event: string, data: JsonObject): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function writeStream(res: ServerResponse, turn: MockTurn, messageId: string, model: string): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'request-id': `req_${messageId}`,
  });
  const { usage } = turn;
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  sse(res, 'ping', { type: 'ping' });
  turn.blocks.forEach((block, index) => {
    if (block.type === 'text') {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const chunk of splitInTwo(block.text)) {
        sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: chunk } });
      }
    } else {
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      // Streamed in pieces, as the real API does, so the CLI's partial-JSON assembly is exercised.
      for (const chunk of splitInTwo(JSON.stringify(block.input))) {
        sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: chunk } });
      }
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReasonOf(turn), stop_sequence: null },
    usage,
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function writeJson(res: ServerResponse, status: number, payload: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

function messageJson(turn: MockTurn, messageId: string, model: string): JsonObject {
  return {
    id: messageId,
    type: 'message',
    role: 'assistant',
    model,
    content: turn.blocks.map((b) => (b.type === 'text' ? { type: 'text', text: b.text } : { type: 'tool_use', id: b.id, name: b.name, input: b.input })),
    stop_reason: stopReasonOf(turn),
    stop_sequence: null,
    usage: turn.usage,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Starts the mock on 127.0.0.1 with a random free port. */
export async function startMockAnthropic(options: MockOptions): Promise<MockAnthropic> {
  const requests: RecordedRequest[] = [];
  let counter = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const n = ++counter;
    const receivedAt = new Date().toISOString();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = q < 0 ? '' : rawUrl.slice(q);
    const method = req.method ?? 'GET';
    const body = parseJson(await readBody(req));
    const record = (route: RecordedRequest['route']): void => {
      requests.push({ n, receivedAt, method, path, query, headers: { ...req.headers }, body, route });
    };
    // Message ids are distinct per request and stable across runs: the transcript counts usage per id.
    const messageId = `msg_mock${String(n).padStart(6, '0')}`;
    const model = isObject(body) && typeof body['model'] === 'string' ? body['model'] : 'claude-mock';

    if (method === 'HEAD' || (method === 'GET' && path === '/')) {
      record({ kind: 'probe' });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end();
      return;
    }
    if (method === 'POST' && path.endsWith('/count_tokens')) {
      record({ kind: 'count_tokens' });
      // Deterministic estimate: the CLI only uses it for context accounting.
      const size = JSON.stringify(body ?? {}).length;
      writeJson(res, 200, { input_tokens: Math.max(1, Math.round(size / 4)) });
      return;
    }
    if (method === 'POST' && path === '/v1/messages') {
      const { turn, route } = chooseAnswer(options, body);
      record(route);
      if (route.kind === 'script' && route.script !== undefined && route.turn !== undefined) await options.beforeTurn?.(route.script, route.turn);
      if (route.stream === true) writeStream(res, turn, messageId, model);
      else writeJson(res, 200, messageJson(turn, messageId, model), { 'request-id': `req_${messageId}` });
      return;
    }
    record({ kind: 'unknown' });
    writeJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `mock: no route for ${method} ${path}` } });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Never leave the CLI waiting: any bug here becomes a 500 it can report.
      if (!res.headersSent) writeJson(res, 500, { type: 'error', error: { type: 'api_error', message: String(error) } });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets of a killed CLI must not keep the server (and the test) open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
