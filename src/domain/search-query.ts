/**
 * Longest full-text query the CLI (`events --search`) and the MCP `events_search` tool accept:
 * ample for words, phrases and AND / OR / NOT, and short enough to quote back in a message.
 */
export const SEARCH_QUERY_MAX_CHARS = 1_000;
