import { z } from 'zod';

// Placeholder protocol of the state-machine view: replaced by the view's real state and messages.

/** The full state the host sends. */
export interface StateMachineViewState {
  readonly key: string;
  readonly title: string;
}

/** Webview → host messages (besides `ready`). */
export const stateMachineWebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('openReport'), sessionId: z.string().min(1).max(200) }).strict(),
]);
export type StateMachineWebviewMessage = z.infer<typeof stateMachineWebviewMessage>;
