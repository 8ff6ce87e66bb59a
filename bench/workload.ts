import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Realistic hook traffic: the payloads of a real captured Claude Code session
// (test/fixtures/full-session.hooks.jsonl), replayed cycle after cycle. Each cycle is one
// session's turn with its own session, prompt, tool-use and agent ids, so the store sees
// distinct streams, correlation ids and causation links, not one id repeated N times.

/** The session id the fixture was captured with. */
const FIXTURE_SESSION = '4b1ffb86-03bc-4881-8ec2-3bc2cf43ffba';

export interface FixtureEvent {
  /** The event the handler was installed for (argv of the hook). */
  readonly hookEvent: string;
  /** The payload exactly as Claude Code wrote it to stdin (compact JSON). */
  readonly json: string;
  readonly payload: Record<string, unknown>;
}

export interface GeneratedPayload {
  readonly hookEvent: string;
  readonly sessionId: string;
  readonly json: string;
}

export function loadFixture(root: string): FixtureEvent[] {
  const text = readFileSync(join(root, 'test', 'fixtures', 'full-session.hooks.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => {
    const parsed = JSON.parse(line) as { event: string; payload: Record<string, unknown> };
    return { hookEvent: parsed.event, json: JSON.stringify(parsed.payload), payload: parsed.payload };
  });
}

/** The first fixture payload of `hookEvent` (optionally for `toolName`). */
export function fixturePayload(fixture: readonly FixtureEvent[], hookEvent: string, toolName?: string): FixtureEvent {
  const found = fixture.find((f) => f.hookEvent === hookEvent && (toolName === undefined || f.payload['tool_name'] === toolName));
  if (found === undefined) throw new Error(`the fixture has no ${hookEvent}${toolName === undefined ? '' : ` for ${toolName}`} payload`);
  return found;
}

/**
 * Cycles through the fixture; cycle k belongs to session k mod `sessions`. Ids are replaced
 * textually so the JSON stays byte-for-byte what Claude Code would send, only with other ids.
 */
export class WorkloadGenerator {
  private readonly sessions: string[];
  private readonly promptIds: string[];
  private readonly agentIds: string[];
  private index = 0;
  private cycleReplacements: [string, string][] = [];

  constructor(private readonly fixture: readonly FixtureEvent[], sessionCount: number) {
    this.sessions = Array.from({ length: sessionCount }, () => randomUUID());
    this.promptIds = distinct(fixture, 'prompt_id');
    this.agentIds = distinct(fixture, 'agent_id');
  }

  next(): GeneratedPayload {
    const position = this.index % this.fixture.length;
    const cycle = Math.floor(this.index / this.fixture.length);
    if (position === 0) this.startCycle(cycle);
    this.index += 1;
    const template = this.fixture[position] as FixtureEvent;
    let json = template.json;
    for (const [from, to] of this.cycleReplacements) json = json.replaceAll(from, to);
    return { hookEvent: template.hookEvent, sessionId: this.sessions[cycle % this.sessions.length] as string, json };
  }

  private startCycle(cycle: number): void {
    const session = this.sessions[cycle % this.sessions.length] as string;
    this.cycleReplacements = [
      [FIXTURE_SESSION, session],
      ['toolu_mock', `toolu_c${cycle}x`],
      ...this.promptIds.map((id): [string, string] => [id, randomUUID()]),
      ...this.agentIds.map((id): [string, string] => [id, `${id}${cycle.toString(16)}`]),
    ];
  }
}

function distinct(fixture: readonly FixtureEvent[], field: string): string[] {
  const ids = new Set<string>();
  for (const f of fixture) {
    const value = f.payload[field];
    if (typeof value === 'string') ids.add(value);
  }
  return [...ids];
}

/** A PostToolUse(Bash) payload whose tool_response.stdout makes the whole payload ~`bytes` long. */
export function bigPostToolUse(fixture: readonly FixtureEvent[], bytes: number): string {
  const template = fixturePayload(fixture, 'PostToolUse', 'Bash');
  const base = JSON.stringify(template.payload).length;
  // Build/test-log-like lines: what a 200 KB Bash output usually is.
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes - base; i += 1) {
    const line = `src/module-${i % 97}/file-${i}.ts:${(i * 7) % 400}:${i % 80} ok  test ${i} passed in ${(i * 13) % 1000} ms`;
    lines.push(line);
    size += line.length + 2; // the line, and the escaped \n JSON writes after it
  }
  const response = { ...(template.payload['tool_response'] as Record<string, unknown>), stdout: lines.join('\n') };
  return JSON.stringify({ ...template.payload, tool_response: response });
}
