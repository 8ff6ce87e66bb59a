import { createHash } from 'node:crypto';
import { mapJsonStrings } from '../json-walk';
import { BUILTIN_DETECTOR_IDS, builtinScanners, isDetectorId } from './detectors';
import type { DetectorId } from './detectors';
import { AWS_SECRET_RULE, keyedValueRule, PASSWORD_RULE } from './key-value';
import { compilePathRule, keptInSecretFileEvent, sensitiveFile } from './path-rule';
import type { PathRule } from './path-rule';
import { isPlaceholder, keyedHash, placeholder, placeholderSpans } from './placeholder';
import { buildPrefilter, buildTriggerIndex, holdsTrigger, scannersFor, triggerText } from './prefilter';
import type { TriggerIndex } from './prefilter';
import type { Finding, RedactedText, RedactedValue, RedactionNote, RedactionSettings, Redactor } from './types';
import { compileUserPatterns } from './user-patterns';

// The redaction engine: secrets in an event's strings become `[REDACTED:<rule>:<hash>]` before
// anything is stored, and each replacement leaves a note (rule, JSON path, keyed hash) for the
// event's metadata. Three kinds of rule: detectors that find a secret inside any string (keys
// with a known prefix, private key blocks, JWTs, URL passwords, `name=value` pairs whose name
// says secret, user patterns); a string under a secret-holding key (`{"api_key": "…"}`), replaced
// whole; and secret files (`logbook.redaction.paths`), whose events keep only paths and ids.
// Where findings overlap they are merged into one placeholder (no piece of a secret is left
// between two), and a finding that overlaps a placeholder already there is dropped: redacting
// twice changes nothing. Pure: node:crypto only; the hash key is the caller's.

/** Bumped whenever a detector changes what it finds: part of the fingerprint. */
const ENGINE_VERSION = 1;
/** Notes kept per value: a 10 MB output of keys must not become 10 MB of metadata. */
export const MAX_NOTES = 1000;
const MAX_DISABLED = 50;

interface Run {
  readonly notes: RedactionNote[];
  omitted: number;
  /** secret → hash within one call: the same secret repeated is hashed once. */
  readonly hashes: Map<string, string>;
}

interface Engine {
  readonly scanners: TriggerIndex;
  readonly keyed: { password: boolean; aws: boolean };
  readonly pathRule: PathRule;
  readonly hashKey: Uint8Array;
}

/** Compiles the settings; a bad user rule is left out and named in `problems` (`logbook.redaction.patterns[2]: …`). */
export function compileRedactor(settings: RedactionSettings, hashKey: Uint8Array): { redactor: Redactor; problems: string[] } {
  const problems: string[] = [];
  const enabled = enabledDetectors(settings.disabled ?? [], problems);
  const user = compileUserPatterns(settings.patterns, new Set<string>(BUILTIN_DETECTOR_IDS));
  const paths = compilePathRule(settings.paths);
  problems.push(...user.problems, ...paths.problems);
  const scanners = [...builtinScanners(enabled), ...user.rules.map((rule) => rule.scanner)];
  const engine: Engine = {
    scanners: buildTriggerIndex(scanners),
    keyed: { password: enabled.has(PASSWORD_RULE), aws: enabled.has(AWS_SECRET_RULE) },
    pathRule: paths.rule,
    hashKey,
  };
  const events = buildPrefilter([...scanners.map((scanner) => scanner.triggers), paths.rule.globs.some((g) => !g.negated) ? paths.rule.triggers : []]);
  const fingerprint = `v${ENGINE_VERSION}:${createHash('sha256').update(JSON.stringify({
    detectors: [...enabled].sort(),
    patterns: user.rules.map((rule) => [rule.name, rule.source, rule.flags]),
    paths: paths.rule.globs.map((glob) => glob.source),
  })).digest('hex').slice(0, 16)}`;
  const redactor: Redactor = {
    fingerprint,
    mayMatch: (jsonText) => holdsTrigger(events, triggerText(jsonText)),
    redactValue: (value) => redactValue(engine, value),
    redactText: (text, path = '') => {
      const run = newRun();
      const redacted = redactString(engine, run, text, undefined, () => path);
      return { text: redacted, notes: run.notes, notesOmitted: run.omitted } satisfies RedactedText;
    },
  };
  return { redactor, problems };
}

function enabledDetectors(ids: readonly string[], problems: string[]): Set<DetectorId> {
  const disabled = new Set<string>();
  // There are 14 ids: a longer list is a mistake or an attack, not a reason for a million problems.
  if (ids.length > MAX_DISABLED) problems.push(`logbook.redaction.disabled[${MAX_DISABLED}…${ids.length - 1}]: left out, at most ${MAX_DISABLED} ids are read`);
  ids.slice(0, MAX_DISABLED).forEach((id, index) => {
    if (isDetectorId(id)) disabled.add(id);
    else problems.push(`logbook.redaction.disabled[${index}]: unknown detector ${JSON.stringify(id.slice(0, 80))} (known: ${BUILTIN_DETECTOR_IDS.join(', ')})`);
  });
  return new Set<DetectorId>(BUILTIN_DETECTOR_IDS.filter((id) => !disabled.has(id)));
}

function newRun(): Run {
  return { notes: [], omitted: 0, hashes: new Map() };
}

function redactValue(engine: Engine, value: unknown): RedactedValue {
  const run = newRun();
  const file = sensitiveFile(engine.pathRule, value);
  const fileRule = file === undefined ? undefined : `path:${file}`;
  const redacted = mapJsonStrings(value, (text, path, key) => {
    if (fileRule !== undefined && !keptInSecretFileEvent(key)) {
      return text === '' || isPlaceholder(text) ? text : replace(engine, run, text, [{ start: 0, end: text.length, rule: fileRule }], path);
    }
    return redactString(engine, run, text, key, path);
  });
  return { value: redacted, notes: run.notes, notesOmitted: run.omitted };
}

function redactString(engine: Engine, run: Run, text: string, key: string | number | undefined, path: () => string): string {
  if (text.length === 0 || isPlaceholder(text)) return text;
  if (typeof key === 'string') {
    const rule = keyedValueRule(key, text, engine.keyed);
    if (rule !== undefined) return replace(engine, run, text, [{ start: 0, end: text.length, rule }], path);
  }
  const found = scannersFor(engine.scanners, text).flatMap((scanner) => scanner.find(text));
  if (found.length === 0) return text;
  // By start; ties keep the scanners' priority (the sort is stable).
  found.sort((a, b) => a.start - b.start);
  const spans = merge(withoutPlaceholders(found, placeholderSpans(text)));
  return spans.length === 0 ? text : replace(engine, run, text, spans, path);
}

/**
 * Findings (sorted by start) that touch a placeholder already in the text are not secrets: they
 * are our own output. Both lists are in text order, so one sweep decides (no findings × placeholders).
 */
function withoutPlaceholders(findings: readonly Finding[], placeholders: readonly [number, number][]): Finding[] {
  if (placeholders.length === 0) return [...findings];
  let next = 0;
  return findings.filter((f) => {
    while (next < placeholders.length && (placeholders[next] as [number, number])[1] <= f.start) next += 1;
    const candidate = placeholders[next];
    return candidate === undefined || candidate[0] >= f.end;
  });
}

/** Findings sorted by start; overlapping ones become one, named by the first. */
function merge(findings: readonly Finding[]): Finding[] {
  const merged: Finding[] = [];
  for (const finding of findings) {
    const last = merged[merged.length - 1];
    if (last !== undefined && finding.start < last.end) {
      if (finding.end > last.end) merged[merged.length - 1] = { ...last, end: finding.end };
    } else {
      merged.push(finding);
    }
  }
  return merged;
}

function replace(engine: Engine, run: Run, text: string, spans: readonly Finding[], path: () => string): string {
  const parts: string[] = [];
  let at = 0;
  let where: string | undefined;
  for (const span of spans) {
    const secret = text.slice(span.start, span.end);
    let hash = run.hashes.get(secret);
    if (hash === undefined) {
      hash = keyedHash(engine.hashKey, secret);
      if (run.hashes.size < 10_000) run.hashes.set(secret, hash);
    }
    if (run.notes.length < MAX_NOTES) {
      where ??= path();
      run.notes.push({ rule: span.rule, path: where, hash });
    } else {
      run.omitted += 1;
    }
    parts.push(text.slice(at, span.start), placeholder(span.rule, hash));
    at = span.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
