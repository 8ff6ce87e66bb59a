import { z } from 'zod';

// Placeholder protocol of the report view: replaced by the view's real state and messages.

/** The full state the host sends. */
export interface ReportViewState {
  readonly key: string;
  readonly title: string;
}

/** Webview → host messages (besides `ready`). */
export const reportWebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('openReport'), sessionId: z.string().min(1).max(200) }).strict(),
]);
export type ReportWebviewMessage = z.infer<typeof reportWebviewMessage>;
