import { z } from 'zod';

// Placeholder protocol of the journal view: replaced by the view's real state and messages.

/** The full state the host sends. */
export interface JournalViewState {
  readonly key: string;
  readonly title: string;
}

/** Webview → host messages (besides `ready`). */
export const journalWebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('openReport'), sessionId: z.string().min(1).max(200) }).strict(),
]);
export type JournalWebviewMessage = z.infer<typeof journalWebviewMessage>;
