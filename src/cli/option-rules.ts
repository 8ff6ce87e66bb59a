import { accessSync, constants, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import type { JournalFileRef } from '../domain/workflow/types';
import { SEARCH_QUERY_MAX_CHARS } from '../domain/search-query';
import type { OptionRule } from './options';
import { MAX_FIELD_BYTES_MAX, MAX_FIELD_BYTES_MIN } from './workspace-settings';
import { groupDigits } from '../domain/group-digits';

// The rules the commands' options are checked against (options.ts). Each zod message states the
// rule as it reads after the option's name: "--limit must be a whole number from 1 to 1,000,000".

/** Bounds of the CLI's arguments. */
export const ARG_LIMITS = {
  /** Session ids, state names, event types, actors: one line. */
  nameChars: 256,
  /** --text, --notes, --reason: at most 64 KiB in UTF-8, the default field cap. */
  textChars: 16_384,
  tagChars: 64,
  tags: 32,
  /** PATH_MAX on Linux. */
  pathChars: 4_096,
  files: 100,
  /** --limit: past a million events, leave --limit out. */
  limit: 1_000_000,
} as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const count = groupDigits;

/** zod's message for a missing or mistyped value: "is required" when it is missing. */
const needs = (what: string) => (issue: { input: unknown }): string => (issue.input === undefined ? 'is required' : what);

/** Text on one line: not blank, bounded, no control characters (session ids, names, types). */
export function nameRule(maxChars: number = ARG_LIMITS.nameChars): OptionRule<string> {
  return {
    kind: 'string',
    schema: z.string({ error: needs('needs text') })
      .max(maxChars, `must be at most ${count(maxChars)} characters`)
      .refine((s) => s.trim() !== '', 'must not be blank')
      .refine((s) => !CONTROL.test(s), 'must not contain control characters'),
  };
}

/** Free text (journal, notes, reasons): lines and tabs are fine, other control characters are not. */
export function textRule(maxChars: number = ARG_LIMITS.textChars): OptionRule<string> {
  return {
    kind: 'string',
    schema: z.string({ error: needs('needs text') })
      .max(maxChars, `must be at most ${count(maxChars)} characters`)
      .refine((s) => s.trim() !== '', 'must not be blank')
      .refine((s) => !CONTROL_BUT_LINES.test(s), 'must not contain control characters other than tabs and line breaks'),
  };
}

/** A whole number within bounds; the parser may hand it over as a number or as its text. */
export function wholeNumberRule(min: number, max: number, why = ''): OptionRule<number> {
  const range = `must be a whole number from ${count(min)} to ${count(max)}${why}`;
  return {
    // Read as text: the rule, not the parser, decides what a whole number is and says so.
    kind: 'string',
    schema: z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
      // Range first: 99999999999999999999 is out of range, not "not a whole number" (zod's int() means a safe one).
      z.number({ error: needs('needs a whole number') }).min(min, range).max(max, range).refine(Number.isInteger, 'needs a whole number')),
  };
}

/** One of a few words. */
export function oneOfRule<const T extends readonly [string, ...string[]]>(values: T): OptionRule<T[number]> {
  return { kind: 'string', schema: z.enum(values, { error: needs(`must be ${values.join(' or ')}`) }) };
}

/** A switch: present or not. */
export const flagRule: OptionRule<boolean> = { kind: 'boolean', schema: z.boolean().optional().transform((v) => v === true) };

/** Any rule, made optional: absent gives undefined. */
export function optional<T>(rule: OptionRule<T>): OptionRule<T | undefined> {
  return { ...rule, schema: rule.schema.optional() };
}

/** A positional argument: the index-th one, named `label` in messages. */
export function positional<T>(index: number, label: string, rule: OptionRule<T>, missing: string): OptionRule<T> {
  return { ...rule, position: index, label, missing };
}

/** --session: a plausible id. */
export const sessionRule = nameRule();

/** --from/--to of events: positions start at 1. */
export const positionRule = wholeNumberRule(1, Number.MAX_SAFE_INTEGER, ' (positions start at 1)');

export const limitRule = wholeNumberRule(1, ARG_LIMITS.limit);

/** --max-field-bytes: the bounds of logbook.capture.maxFieldBytes. */
export const maxFieldBytesRule = wholeNumberRule(MAX_FIELD_BYTES_MIN, MAX_FIELD_BYTES_MAX, ', like logbook.capture.maxFieldBytes');

/** --search: a full-text query, bounded so a message can quote it. */
export const searchRule: OptionRule<string> = {
  kind: 'string',
  schema: z.string({ error: needs('needs a query') })
    .max(SEARCH_QUERY_MAX_CHARS, `must be at most ${count(SEARCH_QUERY_MAX_CHARS)} characters`)
    .refine((s) => s.trim() !== '', 'needs a non-empty query')
    .refine((s) => !CONTROL.test(s), 'must not contain control characters'),
};

/** A comma-separated list ("" is the empty list); each item trimmed and checked by `item`. */
function listRule<T>(noun: string, maxItems: number, item: (text: string) => { value: T } | { problem: string }): OptionRule<T[]> {
  return {
    kind: 'string',
    schema: z.string({ error: needs(`needs a comma-separated list of ${noun}s`) }).transform((text, ctx) => {
      const items = text.trim() === '' ? [] : text.split(',').map((part) => part.trim());
      if (items.length > maxItems) ctx.addIssue({ code: 'custom', message: `must list at most ${count(maxItems)} ${noun}s` });
      const values: T[] = [];
      for (const part of items) {
        const checked = part === '' ? { problem: `has an empty ${noun} (two commas in a row, or one at an end)` } : item(part);
        if ('problem' in checked) {
          ctx.addIssue({ code: 'custom', message: checked.problem });
          return z.NEVER;
        }
        values.push(checked.value);
      }
      return values;
    }),
  };
}

/** --tags a,b: short labels. */
export const tagsRule = listRule<string>('tag', ARG_LIMITS.tags, (tag) => {
  if (tag.length > ARG_LIMITS.tagChars) return { problem: `has a tag longer than ${ARG_LIMITS.tagChars} characters` };
  if (CONTROL.test(tag)) return { problem: 'has a tag with control characters' };
  return { value: tag };
});

/** --files path[:line],...: lines start at 1. */
export const filesRule = listRule<JournalFileRef>('file', ARG_LIMITS.files, (text) => {
  const match = /^(.*):(\d+)$/.exec(text);
  const path = match === null ? text : (match[1] as string);
  const line = match === null ? undefined : Number(match[2]);
  if (path.trim() === '') return { problem: 'has a line number without a path' };
  if (path.length > ARG_LIMITS.pathChars) return { problem: `has a path longer than ${count(ARG_LIMITS.pathChars)} characters` };
  if (CONTROL.test(path)) return { problem: 'has a path with control characters' };
  if (line !== undefined && (line < 1 || !Number.isSafeInteger(line))) return { problem: `has line ${match?.[2] ?? ''}: line numbers start at 1` };
  return { value: line === undefined ? { path } : { path, line } };
});

/** A path option checked on disk: `why` says what is wrong with it, or undefined. */
function pathRule(rule: string, why: (full: string) => string | undefined): OptionRule<string> {
  return {
    kind: 'string',
    schema: nameRule(ARG_LIMITS.pathChars).schema.superRefine((path, ctx) => {
      const problem = why(resolve(path));
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${rule} (${problem})` });
    }),
  };
}

/** --workspace DIR: an existing directory. */
export const workspaceRule = pathRule('must be an existing directory', (full) => {
  const stat = statOf(full);
  if (typeof stat === 'string') return stat === 'ENOENT' ? 'there is nothing at that path' : stat;
  return stat.isDirectory() ? undefined : 'it is not a directory';
});

/** --html FILE: a file that can be written (new or existing), not a directory. */
export const writableFileRule = pathRule('must be a file that can be written', (full) => {
  const stat = statOf(full);
  if (typeof stat !== 'string' && stat.isDirectory()) return 'it is a directory';
  if (typeof stat === 'string' && stat !== 'ENOENT') return stat;
  const folder = dirname(full);
  const parent = statOf(folder);
  if (typeof parent === 'string') return parent === 'ENOENT' ? `its folder ${folder} does not exist` : `its folder: ${parent}`;
  if (!parent.isDirectory()) return `${folder} is not a directory`;
  try {
    accessSync(typeof stat === 'string' ? folder : full, constants.W_OK);
  } catch {
    return typeof stat === 'string' ? `its folder ${folder} is not writable` : 'it is not writable';
  }
  return undefined;
});

const STAT_PROBLEMS: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of its path is not a directory',
  EACCES: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** The file's stat; else 'ENOENT', or what kept it from us in words. */
function statOf(path: string): Stats | string {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    return code === 'ENOENT' ? code : STAT_PROBLEMS[code] ?? (code || 'unreadable');
  }
}
