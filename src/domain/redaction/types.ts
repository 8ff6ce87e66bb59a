// Shapes shared by the redaction engine's files and by the ingest that calls it.

/** The `logbook.redaction.*` settings, as read (validated by settings-schema.ts). */
export interface RedactionSettings {
  /** Extra rules: a JS regular expression each, checked for safety before it is used. */
  readonly patterns?: readonly { name: string; pattern: string; flags?: string }[];
  /** Built-in detector ids turned off. */
  readonly disabled?: readonly string[];
  /** Globs of files whose contents are never stored; undefined = the built-in list. */
  readonly paths?: readonly string[];
}

/** One replacement: which rule, where (a JSON path like `tool_input.command`), a keyed hash of the value. */
export interface RedactionNote {
  readonly rule: string;
  readonly path: string;
  /** HMAC-SHA256 of the replaced text under the caller's key, first 16 hex digits. */
  readonly hash: string;
}

export interface RedactedValue {
  readonly value: unknown;
  readonly notes: RedactionNote[];
  /** Replacements beyond the note cap: made, but without a note of their own. */
  readonly notesOmitted: number;
}

export interface RedactedText {
  readonly text: string;
  readonly notes: RedactionNote[];
  readonly notesOmitted: number;
}

export interface Redactor {
  /** Cheap check on an event's JSON text: false means no rule can match any string of the parsed value. Never a false negative. */
  mayMatch(jsonText: string): boolean;
  /** The value with every secret replaced by a placeholder, and a note per replacement; the same value object back when nothing matched. */
  redactValue(value: unknown): RedactedValue;
  /** The same for one free text (a raw stdin that was not JSON, a journal entry); `path` names it in the notes. */
  redactText(text: string, path?: string): RedactedText;
  /** Stable id of the rule set (detectors on/off, user patterns, paths): recorded so a rebuild knows which rules applied. */
  readonly fingerprint: string;
}

/** A literal that occurs in every text a rule can match (before any JSON escaping). */
export interface Trigger {
  readonly text: string;
  readonly ignoreCase: boolean;
}

/** A secret found in one string: [start, end) is what the placeholder replaces. */
export interface Finding {
  readonly start: number;
  readonly end: number;
  readonly rule: string;
}

/** A compiled rule over one string. `triggers: 'always'` = no literal is known, every text is a candidate. */
export interface Scanner {
  readonly triggers: readonly Trigger[] | 'always';
  find(text: string): Finding[];
}
