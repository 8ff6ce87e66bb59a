// Sessions that ran before the hooks were installed are recorded by `logbook import` from Claude
// Code's transcripts (src/ingest/import/). Their events are hook-shaped, with source `import` and
// `metadata.imported: true`, and lack what only a hook sees: views use this to say so.

/** What an imported session's events cannot tell, as a view says it. */
export const IMPORTED_LACKS = [
  'no hook timings (duration_ms): times are those of the transcript lines',
  'no permission requests or denials: a denied tool call reads as a failed one',
  'no streamed messages (MessageDisplay), notifications or task events',
] as const;

/** Whether an event was read out of a transcript by `logbook import` rather than recorded by a hook. */
export function isImported(event: { readonly metadata: Readonly<Record<string, unknown>> }): boolean {
  return event.metadata['imported'] === true || event.metadata['source'] === 'import';
}
