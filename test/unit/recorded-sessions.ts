import { entryFileName, entryText, uuidV7, writeInboxEntry } from '../../src/capture/inbox-writer';
import { main } from '../../src/cli/main';
import { fixturePayloads } from './helpers';

// Sessions for the tests of the views across sessions: the real fixture session's hook payloads,
// readdressed, stamped by the project's own entry writer at chosen times (the hook's format), with
// a first prompt of their own and extra failing calls. And the CLI run in-process.

/** Runs `logbook <argv>` in this process; what it printed on stdout and stderr. */
export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

let tick = 0;
/** A stamped entry as the hook writes it, received at `ms`. */
export function putAt(inbox: string, payload: Record<string, unknown>, ms: number): void {
  tick += 1;
  const stamp = { id: uuidV7(ms), receivedAt: new Date(ms).toISOString(), receivedUs: ms * 1000 + tick };
  writeInboxEntry(inbox, entryFileName(stamp), entryText(stamp, 'hook', String(payload['hook_event_name']), JSON.stringify(payload)));
}

export interface RecordOptions {
  /** Days after 2026-11-01 (local noon) the session starts. */
  readonly day: number;
  /** Extra PostToolUseFailure events of `failingTool` (default Bash) after the fixture's own. */
  readonly failures?: number;
  readonly failingTool?: string;
}

/** The fixture session as `sessionId` with `prompt` as its first prompt. */
export function recordSession(inbox: string, sessionId: string, prompt: string, options: RecordOptions): void {
  const start = new Date(2026, 10, 1 + options.day, 12).getTime();
  let prompted = false;
  fixturePayloads().forEach((payload, i) => {
    const first = payload['hook_event_name'] === 'UserPromptSubmit' && !prompted;
    if (first) prompted = true;
    putAt(inbox, { ...payload, session_id: sessionId, ...(first ? { prompt } : {}) }, start + i * 100);
  });
  for (let i = 0; i < (options.failures ?? 0); i += 1) {
    putAt(inbox, { session_id: sessionId, hook_event_name: 'PostToolUseFailure', tool_name: options.failingTool ?? 'Bash', tool_use_id: `fail-${i}`, error: 'exit 1' }, start + 60_000 + i);
  }
}
