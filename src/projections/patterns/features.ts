import type { FeatureKind } from '../../protocol/patterns';
import type { SessionOverview } from '../overview/session-overview';
import type { SessionSummaryState } from '../session-summary';

// The traits of one session that a cohort contrast counts: each is a kind and a value, present or
// not (how often it occurs within the session does not matter: the question is how many sessions
// have it). Values come from events: untrusted text, kept as text and bounded in number.

/** A session's traits, keyed `<kind>\u0000<value>`. */
export type SessionTraits = ReadonlySet<string>;

/** Traits of one kind a session can contribute at most (a session that touched 10,000 files). */
const MAX_PER_KIND = 200;
const MIN_WORD = 4;
// Words that say nothing about what a session was for.
const STOPWORDS = new Set(['this', 'that', 'with', 'from', 'have', 'into', 'then', 'when', 'what', 'will', 'there', 'their', 'them', 'they', 'your', 'please', 'should', 'could', 'would', 'also', 'just', 'some', 'make', 'sure', 'each', 'only', 'about', 'after', 'before', 'these', 'those', 'which', 'while', 'where']);

export function traitKey(kind: FeatureKind, value: string): string {
  return `${kind}\u0000${value}`;
}

export function splitTrait(key: string): { kind: FeatureKind; value: string } {
  const at = key.indexOf('\u0000');
  return { kind: key.slice(0, at) as FeatureKind, value: key.slice(at + 1) };
}

export function sessionTraits(summary: SessionSummaryState, row: SessionOverview): SessionTraits {
  const traits = new Set<string>();
  const add = (kind: FeatureKind, values: Iterable<string>): void => {
    let n = 0;
    for (const value of values) {
      if (n >= MAX_PER_KIND) return;
      traits.add(traitKey(kind, value));
      n += 1;
    }
  };
  const path = summary.workflow.transitions.map((t) => t.to);
  const from = summary.workflow.transitions.map((t) => t.from ?? 'start');
  // Steps (a → b) and paths of three states (a → b → c): the n-grams of the workflow's run.
  add('workflow-step', summary.workflow.transitions.map((t, i) => `${from[i] ?? 'start'} → ${t.to}`));
  add('workflow-path', path.slice(2).map((to, i) => `${path[i] as string} → ${path[i + 1] as string} → ${to}`));
  add('lifecycle-step', Object.keys(summary.lifecycle.transitions));
  add('tool', Object.keys(summary.tools.all));
  add('failing-tool', Object.entries(summary.tools.all).filter(([, stats]) => stats.failures > 0).map(([tool]) => tool));
  add('denial-rule', summary.workflow.hookDenials.map((d) => d.rule));
  add('folder', folders(Object.keys(summary.files)));
  add('title-word', titleWords(row.title));
  if (row.model !== null) add('model', [row.model]);
  if (row.endReason !== null) add('end-reason', [row.endReason]);
  return traits;
}

// A file's folder with its parent ("src/auth"): deep enough to mean something, short enough to be
// shared by sessions working in the same part of a tree.
function folders(paths: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const path of paths) {
    const dirs = path.split('/').filter((part) => part !== '').slice(0, -1);
    if (dirs.length > 0) out.add(dirs.slice(-2).join('/'));
  }
  return out;
}

function titleWords(title: string | null): Set<string> {
  const out = new Set<string>();
  if (title === null) return out;
  // A shortened title ends in the middle of a word: that piece is not a word.
  const whole = title.endsWith('…') ? title.slice(0, title.lastIndexOf(' ') + 1) : title;
  for (const word of whole.toLowerCase().split(/[^\p{L}\p{N}_-]+/u)) {
    if (word.length >= MIN_WORD && !STOPWORDS.has(word) && !/^\d+$/.test(word)) out.add(word);
  }
  return out;
}
