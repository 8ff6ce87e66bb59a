// What the prompt index (prompts_fts, schema 7) holds of a UserPromptSubmit event: its prompt,
// cut where the full-text index cuts a value.

/** The prompt of a UserPromptSubmit event's data (JSON text), cut as the full-text index cuts. */
export function promptOf(data: unknown): string | undefined {
  let parsed: unknown = data;
  if (typeof data === 'string') {
    try {
      parsed = JSON.parse(data) as unknown;
    } catch {
      return undefined;
    }
  }
  const prompt = typeof parsed === 'object' && parsed !== null ? (parsed as { prompt?: unknown }).prompt : undefined;
  return typeof prompt === 'string' && prompt !== '' ? prompt.slice(0, MAX_PROMPT_CHARS) : undefined;
}

const MAX_PROMPT_CHARS = 32_768;
