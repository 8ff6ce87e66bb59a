import type { HostMessage } from '../../src/protocol/channel';
import { applyUpdate } from '../../src/protocol/state-update';

// The webview end of the one transport: a typed post, a state callback, and persistence through
// vscode.setState so the panel revives (with its key and last snapshot) after a reload.

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What a webview keeps across reloads: the key the host revives the panel with, its last snapshot and UI state. */
export interface Persisted<S, U> {
  readonly key: string;
  readonly snapshot?: S;
  readonly ui?: U;
}

export interface Channel<S, M, U> {
  post(message: M): void;
  /** The last persisted state (render it at once; a fresh snapshot follows `ready`). */
  readonly restored: Persisted<S, U> | undefined;
  persist(state: Persisted<S, U>): void;
}

/**
 * Connects a view: `onState` gets every snapshot, `onDelta` the changes a spec sends between them,
 * `onError` every refusal; sends `ready` last so
 * the host's first snapshot cannot arrive before the listener.
 */
export function connect<S, M, U = unknown, D = never>(handlers: { onState(state: S): void; onError(message: string): void; onDelta?(delta: D): void }): Channel<S, M, U> {
  const api = acquireVsCodeApi();
  // The last whole state: an `update` leaves out the parts that did not change since.
  let last: S | undefined;
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data as HostMessage<S, D> | undefined;
    if (message === undefined || message === null || typeof message !== 'object') return;
    if (message.type === 'state') {
      last = message.state;
      handlers.onState(message.state);
    } else if (message.type === 'update') {
      const next = applyUpdate(last, message.state, message.reused);
      // No state to build on (cannot happen after `ready`): ask for a whole one.
      if (next === undefined) {
        api.postMessage({ type: 'ready' });
        return;
      }
      last = next;
      handlers.onState(next);
    } else if (message.type === 'delta') {
      // A delta builds on a state: before the first one (a reloading view), the state after `ready` has it.
      if (last !== undefined) handlers.onDelta?.(message.delta);
    } else if (message.type === 'error') handlers.onError(String(message.message));
  });
  const restored = api.getState() as Persisted<S, U> | undefined;
  api.postMessage({ type: 'ready' });
  return {
    post: (message) => api.postMessage(message),
    restored: restored !== undefined && restored !== null && typeof restored === 'object' ? restored : undefined,
    persist: (state) => api.setState(state),
  };
}
