import { basename } from 'node:path';
import { durationText, usdText } from '../../domain/control/alert-format';
import type { LiveSession } from '../../domain/control/live-session';
import { oneLine } from '../../domain/one-line';

// A live session as the control center's row says it, in the terminal (`logbook watch`) and in
// VS Code alike: plain text per field (never markup; titles and journal entries are the agent's
// words), times counted to `now`.

export interface LiveRowText {
  readonly session: string;
  readonly title: string;
  readonly workspace: string;
  readonly branch: string;
  /** The lifecycle state, and the workflow's after a slash. */
  readonly state: string;
  /** How long in the current lifecycle state. */
  readonly inState: string;
  readonly waiting: string;
  readonly tokens: string;
  readonly cost: string;
  readonly burn: string;
  readonly lastTool: string;
  readonly subagents: string;
  readonly journal: string;
  readonly held: string;
}

const TITLE_CHARS = 48;
const JOURNAL_CHARS = 60;

export function liveRowText(s: LiveSession, now: number): LiveRowText {
  const since = (at: number | null): string => (at === null ? '-' : durationText(now - at));
  return {
    session: s.sessionId.slice(0, 8),
    title: oneLine(s.title ?? '(no prompt yet)', TITLE_CHARS),
    workspace: basename(s.workspace),
    branch: s.branch ?? '-',
    state: `${s.lifecycleState.replace(/_/g, ' ')}${s.workflowState === null ? '' : ` / ${s.workflowState}`}`,
    inState: since(s.lifecycleEnteredAt),
    waiting: s.waitingFor === null ? '-' : `${s.waitingFor} ${since(s.waitingSince)}`,
    tokens: compactCount(s.tokens),
    cost: s.costUsd === null ? '-' : usdText(s.costUsd),
    burn: s.burnUsdPerHour === null ? '-' : `${usdText(s.burnUsdPerHour)}/h`,
    lastTool: s.lastTool === null ? '-' : `${oneLine(s.lastTool.name, 32)} ${s.lastTool.outcome}`,
    subagents: s.subagents.length === 0 ? '-' : s.subagents.map((a) => a.agentType || 'agent').join(', '),
    journal: s.lastJournal === null ? '-' : oneLine(s.lastJournal.text, JOURNAL_CHARS),
    held: s.held === null ? '' : `held: ${oneLine(s.held.message, 40)}`,
  };
}


function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}
