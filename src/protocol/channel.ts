import * as z from 'zod';

// The one message transport between the host and every webview. The host sends a snapshot of the
// view's state: whole after `ready` (a webview that reloads gets everything again), and after that
// without the parts a view marks as reusable when they have not changed since the last state it
// sent (`update`): a scroll through the log of a 100k-event session must not resend its timeline
// and report. VS Code delivers messages to a live webview in order, and a hidden one is reloaded
// (retainContextWhenHidden is off), so an `update` always follows the state it builds on.
// Webview → host messages are validated with zod on the host: a webview is a browser page that
// renders untrusted event text, so its messages are untrusted too.

/** Host → webview (`delta`: only what a change touched, for views whose spec makes one). */
export type HostMessage<S, D = never> =
  | { readonly type: 'state'; readonly state: S }
  | { readonly type: 'delta'; readonly delta: D }
  /** The parts named in `reused` are left out: the same as in the last state sent. */
  | { readonly type: 'update'; readonly state: Partial<S>; readonly reused: readonly (keyof S & string)[] }
  /** A request the host refused or failed; shown in the view, never thrown. */
  | { readonly type: 'error'; readonly message: string };

/** Every view sends `ready` once its script runs; the host answers with a snapshot. */
export const readyMessage = z.object({ type: z.literal('ready') }).strict();
export type ReadyMessage = z.infer<typeof readyMessage>;

/** What a webview keeps with `setState` so the host can revive the panel after a reload. */
export const persistedWebviewState = z.object({ key: z.string().min(1).max(200) }).passthrough();
export type PersistedWebviewState = z.infer<typeof persistedWebviewState>;

export type ParsedMessage<M> = { readonly ok: true; readonly message: M } | { readonly ok: false; readonly problem: string };

/** Validates a message from a webview; the problem names the view and the offending field. */
export function parseWebviewMessage<M>(schema: z.ZodType<M>, raw: unknown, view: string): ParsedMessage<M> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'message' : `message.${issue.path.map(String).join('.')}`;
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? JSON.stringify((raw as { type: unknown }).type).slice(0, 60) : 'without a type';
  return { ok: false, problem: `${view} view sent an invalid message ${type}: ${where}: ${issue?.message ?? 'invalid'}` };
}

