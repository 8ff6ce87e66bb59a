import { join } from 'node:path';
import { parse, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import * as z from 'zod';
import { CONFIG_FILE_MAX_BYTES, readTextOrThrow } from '../capture/bounded-read';
import { LogbookError } from '../domain/errors';
import { findTooDeep, MAX_JSON_DEPTH } from '../domain/json-depth';
import { redactionDisabledSchema, redactionPathsSchema, redactionPatternsSchema } from '../domain/redaction/settings-schema';
import type { RedactionSettings } from '../domain/redaction/types';
import { lineColumn } from '../domain/text-position';
import { RUN_VARIABLE_NAME } from '../capture/run-variable';

// The CLI honours the same `logbook.*` settings as the extension, read from the workspace's
// .vscode/settings.json (JSON with comments), so both writers cap fields identically.

export const DEFAULT_MAX_FIELD_BYTES = 65_536;
/**
 * Bounds of logbook.capture.maxFieldBytes (package.json declares the same), shared with
 * `ingest --max-field-bytes`. Below 1 KiB even an event's names get cut; the writer counts
 * every entry of a pass as up to this many bytes (ingestor.ts), so past 16 MiB a pass of a few
 * entries already looks too big for a store kept in memory (256 MB).
 */
export const MAX_FIELD_BYTES_MIN = 1024;
export const MAX_FIELD_BYTES_MAX = 16 * 1024 * 1024;

const SETTINGS_FILE = '.vscode/settings.json';

const rate = z.number().min(0).optional();
const priceOverride = z.object({
  inputPerMTok: rate, outputPerMTok: rate, cacheWritePerMTok: rate, cacheWrite1hPerMTok: rate, cacheReadPerMTok: rate,
}).loose();

const settingsSchema = z.object({
  'logbook.capture.maxFieldBytes': z.number().int().min(MAX_FIELD_BYTES_MIN).max(MAX_FIELD_BYTES_MAX).optional(),
  'logbook.report.prices': z.record(z.string(), priceOverride).optional(),
  'logbook.redaction.patterns': redactionPatternsSchema.optional(),
  'logbook.redaction.disabled': redactionDisabledSchema.optional(),
  'logbook.redaction.paths': redactionPathsSchema.optional(),
  'logbook.groups.runVariable': z.string().regex(RUN_VARIABLE_NAME, 'must be an environment variable name (letters, digits and _, not starting with a digit, at most 64)').optional(),
}).loose();

export interface CaptureSettings {
  readonly maxFieldBytes: number;
}

/** The workspace's `logbook.*` settings the CLI honours, validated; absent file = defaults. */
export function readWorkspaceSettings(workspace: string): z.infer<typeof settingsSchema> {
  const text = readTextOrThrow(join(workspace, '.vscode', 'settings.json'), SETTINGS_FILE, CONFIG_FILE_MAX_BYTES);
  if (text === undefined) return {};
  // Before jsonc-parser, which recurses: a deep enough file would overflow the stack.
  const deep = findTooDeep(text, MAX_JSON_DEPTH, { comments: true });
  if (deep !== undefined) {
    const { line, column } = lineColumn(text, deep.offset);
    throw new LogbookError('SETTINGS_TOO_DEEP', `${SETTINGS_FILE}:${line}:${column}: nested deeper than ${deep.limit} levels`);
  }
  const errors: ParseError[] = [];
  // Like VS Code: a file with no value in it (empty, or only comments) holds no settings.
  const value: unknown = parse(text, errors, { allowTrailingComma: true, allowEmptyContent: true });
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = lineColumn(text, first.offset);
    throw new LogbookError('SETTINGS_MALFORMED', `${SETTINGS_FILE}:${line}:${column}: ${printParseErrorCode(first.error)}`);
  }
  const parsed = settingsSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LogbookError('SETTINGS_INVALID', `${SETTINGS_FILE}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function readCaptureSettings(workspace: string): CaptureSettings {
  return { maxFieldBytes: readWorkspaceSettings(workspace)['logbook.capture.maxFieldBytes'] ?? DEFAULT_MAX_FIELD_BYTES };
}

/** `logbook.redaction.*` as compileRedactor takes them; an unset key stays undefined (paths: the built-in list). */
export function readRedactionSettings(workspace: string): RedactionSettings {
  const settings = readWorkspaceSettings(workspace);
  return {
    patterns: settings['logbook.redaction.patterns'],
    disabled: settings['logbook.redaction.disabled'],
    paths: settings['logbook.redaction.paths'],
  };
}
