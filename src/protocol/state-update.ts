import type { HostMessage } from './channel';

// The `update` message (channel.ts): the host leaves out the heavy parts of a view's state that
// did not change since the last state it sent, the webview puts back its own. No zod here: the
// webviews bundle this file.

/** The parts of a view's state that stay the same while `revision` does (the heavy parts). */
export interface ReusableParts<S> {
  readonly keys: readonly (keyof S & string)[];
  revision(state: S): number;
}

/** The message for `state`, leaving out the reusable parts when the revision is the one last sent. */
export function stateMessage<S>(state: S, lastRevision: number | undefined, reusable: ReusableParts<S> | undefined): HostMessage<S> {
  if (reusable === undefined || lastRevision === undefined || reusable.revision(state) !== lastRevision) return { type: 'state', state };
  const partial: Partial<S> = { ...state };
  for (const key of reusable.keys) delete partial[key];
  return { type: 'update', state: partial, reused: reusable.keys };
}

/** The state an `update` describes, from the last one the view had; undefined when it had none. */
export function applyUpdate<S>(last: S | undefined, update: Partial<S>, reused: readonly (keyof S & string)[]): S | undefined {
  if (last === undefined || last === null) return undefined;
  const next: Partial<S> = { ...update };
  for (const key of reused) next[key] = last[key];
  return next as S;
}
