import type { EventStore } from '../../store/event-store';
import { foldText, ftsQuery, matchesTokens, searchTokens } from '../event-log';

// Sessions found by words: in the title, branch or workflow of their overview row, or in any of
// their prompts (the store's prompt index, schema 7). Words are letters and digits only, each
// matching the start of a word, all of them required: what the report's search does.

export interface SessionSearch {
  readonly tokens: readonly string[];
  /** Sessions with a prompt holding every word; undefined when the store has no prompt index yet. */
  readonly byPrompt: ReadonlySet<string> | undefined;
}

/** The search for `text`, its prompt matches read from the store; undefined when it holds no word. */
export function searchSessions(store: EventStore, text: string): SessionSearch | undefined {
  const tokens = searchTokens(text);
  if (tokens.length === 0) return undefined;
  return { tokens, byPrompt: store.sessionsByPrompt(ftsQuery(tokens), (prompt) => matchesTokens(tokens, foldText(prompt))) };
}

/** Whether a session is found: by a prompt, or by its title, branch or workflow. */
export function sessionFound(search: SessionSearch, row: { readonly sessionId: string; readonly title: string | null; readonly branch: string | null; readonly workflow: string | null }): boolean {
  if (search.byPrompt?.has(row.sessionId) === true) return true;
  return matchesTokens(search.tokens, foldText([row.title, row.branch, row.workflow].filter((t) => t !== null).join(' ')));
}
