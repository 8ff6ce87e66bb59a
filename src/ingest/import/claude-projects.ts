import { readdirSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Where Claude Code keeps a workspace's transcripts: `<config dir>/projects/<encoded cwd>/`, the
// config dir being $CLAUDE_CONFIG_DIR or ~/.claude. The encoding is Claude Code's own (read from
// the 2.1.197 CLI): every character that is not an ASCII letter or digit becomes "-"; a result
// longer than 200 characters keeps its first 200 and gains "-" and a base-36 hash of the path.

const MAX_ENCODED = 200;
const SESSION_FILE = /^(.+)\.jsonl$/;
const SUBAGENT_FILE = /^agent-(.+)\.jsonl$/;

/** Claude Code's config dir: $CLAUDE_CONFIG_DIR, else ~/.claude. */
export function claudeConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const set = env['CLAUDE_CONFIG_DIR'];
  return set !== undefined && set !== '' ? set : join(homedir(), '.claude');
}

/** The name of a cwd's folder under `<config dir>/projects/`. */
export function encodeProjectDir(cwd: string): string {
  const encoded = cwd.replace(/[^a-zA-Z0-9]/g, '-');
  if (encoded.length <= MAX_ENCODED) return encoded;
  return `${encoded.slice(0, MAX_ENCODED)}-${Math.abs(javaHash(cwd)).toString(36)}`;
}

// The 32-bit string hash (s[0]*31^(n-1) + ...) Claude Code uses for long paths, over UTF-16 units.
function javaHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = ((hash << 5) - hash + text.charCodeAt(i)) | 0;
  return hash;
}

/** The transcripts folder of a workspace (its real path, as Claude Code keys it). */
export function projectTranscriptsDir(workspace: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(claudeConfigDir(env), 'projects', encodeProjectDir(workspace));
}

/** One session's transcript files: the main one, and its subagents' (sorted by name). */
export interface SessionTranscripts {
  readonly sessionId: string;
  readonly path: string;
  readonly subagents: readonly { readonly agentId: string; readonly path: string }[];
}

/** The sessions in a transcripts folder, by session id; an unreadable subagents folder is named in `problems`. */
export function listSessionTranscripts(dir: string, problems: string[]): SessionTranscripts[] {
  const sessions: SessionTranscripts[] = [];
  for (const entry of sortedEntries(dir)) {
    const sessionId = SESSION_FILE.exec(entry.name)?.[1];
    if (sessionId === undefined || !entry.isFile()) continue;
    sessions.push({ sessionId, path: join(dir, entry.name), subagents: subagentFiles(join(dir, sessionId, 'subagents'), problems) });
  }
  return sessions;
}

function subagentFiles(dir: string, problems: string[]): { agentId: string; path: string }[] {
  let entries: Dirent[];
  try {
    entries = sortedEntries(dir);
  } catch (error) {
    // Most sessions never start a subagent: no folder is the common case.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') problems.push(`${dir}: ${code ?? (error as Error).message}`);
    return [];
  }
  return entries.flatMap((entry) => {
    const agentId = SUBAGENT_FILE.exec(entry.name)?.[1];
    return agentId !== undefined && entry.isFile() ? [{ agentId, path: join(dir, entry.name) }] : [];
  });
}

function sortedEntries(dir: string): Dirent[] {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
