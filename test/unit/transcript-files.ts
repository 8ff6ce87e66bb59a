// Reads a session's transcript and its subagents' transcripts whole, for computeSessionUsage in the tests (the writer reads them incrementally: src/ingest/usage/).
// Layout (Claude Code): <dir>/<session_id>.jsonl and <dir>/<session_id>/subagents/agent-<id>.jsonl.
// Claude Code deletes old transcripts and may be writing these files right now: a file that is
// missing or unreadable is reported next to what could be read, never thrown.
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { TranscriptText } from '../../src/projections/transcript-usage';

export interface TranscriptFile extends TranscriptText {
  readonly path: string;
}

export interface TranscriptReadProblem {
  readonly path: string;
  /** The fs error code (ENOENT, EACCES, ...) or its message when it has none. */
  readonly error: string;
}

export interface SessionTranscripts {
  /** The main transcript first (when readable), then subagents sorted by file name. */
  readonly files: readonly TranscriptFile[];
  readonly problems: readonly TranscriptReadProblem[];
}

const SUBAGENT_FILE = /^agent-(.+)\.jsonl$/;

function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : String(error instanceof Error ? error.message : error);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * The transcript at transcriptPath (a hook's `transcript_path`) and its subagents' transcripts.
 * sessionId defaults to the transcript's file name without `.jsonl`.
 */
export async function readSessionTranscripts(transcriptPath: string, sessionId?: string): Promise<SessionTranscripts> {
  const files: TranscriptFile[] = [];
  const problems: TranscriptReadProblem[] = [];
  const read = async (path: string, agentId?: string): Promise<void> => {
    try {
      const text = await readFile(path, 'utf8');
      files.push(agentId === undefined ? { path, text } : { path, text, agentId });
    } catch (error) {
      problems.push({ path, error: errorText(error) });
    }
  };

  await read(transcriptPath);
  const session = sessionId ?? basename(transcriptPath).replace(/\.jsonl$/, '');
  const subagentDir = join(dirname(transcriptPath), session, 'subagents');
  let names: string[];
  try {
    names = await readdir(subagentDir);
  } catch (error) {
    // Most sessions never start a subagent, so the folder is usually absent.
    if (!isMissing(error)) problems.push({ path: subagentDir, error: errorText(error) });
    return { files, problems };
  }
  for (const name of names.sort()) {
    const agentId = SUBAGENT_FILE.exec(name)?.[1];
    if (agentId !== undefined) await read(join(subagentDir, name), agentId);
  }
  return { files, problems };
}
