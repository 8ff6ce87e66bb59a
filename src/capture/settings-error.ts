// A user-owned JSON file we refuse to touch: which file, where, and why.
/** A Claude Code settings file we refuse to edit; nothing was written. */
export class SettingsFileError extends Error {
  constructor(
    /** The file, relative to the workspace (as the user sees it in the explorer). */
    readonly file: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based, in UTF-16 code units. */
    readonly column: number,
    readonly reason: string,
    /** SETTINGS_MALFORMED, or SETTINGS_TOO_DEEP for a file nested past what any parser survives. */
    readonly code: 'SETTINGS_MALFORMED' | 'SETTINGS_TOO_DEEP' = 'SETTINGS_MALFORMED',
  ) {
    super(`${file}:${line}:${column}: ${reason} (file left untouched)`);
    this.name = 'SettingsFileError';
  }
}
