import { readSessionTranscripts } from '../ingest/transcript-files';
import { buildSessionReport } from '../projections/report';
import type { SessionReport } from '../projections/report';
import type { SessionSummaryState } from '../projections/session-summary';
import { computeSessionUsage } from '../projections/transcript-usage';
import type { SessionUsage } from '../projections/transcript-usage';
import type { PriceTable } from '../projections/pricing';

// The read side's I/O around the pure report: tokens and cost come from the session's transcripts,
// which Claude Code may be writing or may have deleted. Shared by the CLI and the extension.

export interface UsageRead {
  readonly usage: SessionUsage | undefined;
  /** "transcript <path>: <error>" lines; the report leaves those files out. */
  readonly problems: readonly string[];
}

/** Token usage of a session from its transcript and its subagents' transcripts (none when unknown). */
export async function readSessionUsage(summary: SessionSummaryState, prices: PriceTable): Promise<UsageRead> {
  const transcriptPath = summary.lifecycle.transcriptPath;
  if (transcriptPath === null || summary.sessionId === null) return { usage: undefined, problems: [] };
  const transcripts = await readSessionTranscripts(transcriptPath, summary.sessionId);
  const problems = transcripts.problems.map((p) => `transcript ${p.path}: ${p.error} (tokens and cost leave it out)`);
  return { usage: transcripts.files.length > 0 ? computeSessionUsage(transcripts.files, prices) : undefined, problems };
}

/** The report of a folded session, with tokens and cost when its transcripts can be read. */
export async function loadSessionReport(summary: SessionSummaryState, prices: PriceTable, now: number = Date.now()): Promise<{ report: SessionReport; problems: readonly string[] }> {
  const { usage, problems } = await readSessionUsage(summary, prices);
  return { report: buildSessionReport(summary, { now, ...(usage === undefined ? {} : { usage }) }), problems };
}
