import { randomBytes } from 'node:crypto';
import { compileRedactor } from '../src/domain/redaction/redactor';
import type { Redactor } from '../src/domain/redaction/types';
import { falsePositivePayload, secretPayloads } from './redaction-workload';
import { collectGarbage, fmtInt, fmtRatio, fmtUs, median, msSince, progress, textTable } from './stats';
import type { FixtureEvent } from './workload';

// The redaction check's cost per event, as the ingest pays it: mayMatch on the event's JSON text,
// and redactValue on the parsed value when mayMatch says it may hold a secret. The baseline is
// JSON.parse of the same texts in the same run (the ingest parses every event anyway), timed in
// alternating rounds so both see the same machine state.

export interface RedactionWorkload {
  readonly label: string;
  readonly texts: readonly string[];
}

export interface RedactionPoint {
  readonly label: string;
  readonly events: number;
  readonly avgBytes: number;
  /** Share of events mayMatch let through to redactValue. */
  readonly candidates: number;
  /** Notes per event (secrets found). */
  readonly notes: number;
  readonly parseMs: number;
  readonly mayMatchMs: number;
  /** mayMatch, then redactValue when it said yes: what the ingest adds. */
  readonly checkMs: number;
}

export function redactionWorkloads(fixture: readonly FixtureEvent[]): RedactionWorkload[] {
  return [
    { label: 'captured session payloads (test/fixtures)', texts: fixture.map((f) => f.json) },
    { label: 'false-positive candidates (lockfile, SHAs, UUIDs, 100 KB PNG, minified JS)', texts: [falsePositivePayload()] },
    { label: 'payloads with real-looking secrets', texts: secretPayloads() },
  ];
}

export function benchRedaction(fixture: readonly FixtureEvent[], quick: boolean): RedactionPoint[] {
  const { redactor } = compileRedactor({}, randomBytes(32));
  return redactionWorkloads(fixture).map((workload) => measure(redactor, workload, quick));
}

function measure(redactor: Redactor, workload: RedactionWorkload, quick: boolean): RedactionPoint {
  const bytes = workload.texts.reduce((sum, t) => sum + t.length, 0);
  // About 20 MB of JSON per round, at least one pass over the workload.
  const passes = Math.max(1, Math.round((quick ? 5e6 : 2e7) / bytes));
  const values = workload.texts.map((t) => JSON.parse(t) as unknown);
  const candidates = workload.texts.filter((t) => redactor.mayMatch(t)).length;
  const notes = values.reduce((sum: number, v) => sum + redactor.redactValue(v).notes.length, 0);
  const rounds = quick ? 5 : 11;
  const parse: number[] = [];
  const mayMatch: number[] = [];
  const check: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    collectGarbage();
    parse.push(timed(passes, () => workload.texts.forEach((t) => JSON.parse(t))));
    collectGarbage();
    mayMatch.push(timed(passes, () => workload.texts.forEach((t) => redactor.mayMatch(t))));
    collectGarbage();
    check.push(timed(passes, () => workload.texts.forEach((t, i) => {
      if (redactor.mayMatch(t)) redactor.redactValue(values[i]);
    })));
  }
  const events = passes * workload.texts.length;
  progress(`redaction: ${workload.label}: ${fmtInt(events)} events × ${rounds} rounds`);
  return {
    label: workload.label, events: workload.texts.length, avgBytes: bytes / workload.texts.length, candidates: candidates / workload.texts.length,
    notes: notes / workload.texts.length, parseMs: median(parse) / events, mayMatchMs: median(mayMatch) / events, checkMs: median(check) / events,
  };
}

function timed(passes: number, pass: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < passes; i += 1) pass();
  return msSince(start);
}

export function redactionTable(points: readonly RedactionPoint[]): string {
  return textTable(
    ['Payload', 'Events', 'Avg bytes', 'mayMatch yes', 'Notes/event', 'JSON.parse', 'mayMatch', 'mayMatch + redactValue', 'Ratio to parse'],
    points.map((p) => [p.label, fmtInt(p.events), fmtInt(p.avgBytes), `${Math.round(p.candidates * 100)}%`, p.notes.toFixed(1), fmtUs(p.parseMs), fmtUs(p.mayMatchMs), fmtUs(p.checkMs), fmtRatio(p.checkMs / p.parseMs)]),
    new Set([1, 2, 3, 4, 5, 6, 7, 8]),
  );
}
