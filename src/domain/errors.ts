/** A domain error with a stable code, so callers and tests branch on codes, not messages. */
export class LogbookError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'LogbookError';
  }
}

/** Append refused: the stream is not at the version the writer expected. */
export class StreamVersionConflictError extends LogbookError {
  constructor(readonly streamId: string, readonly expected: string, readonly actual: number) {
    super('STREAM_VERSION_CONFLICT', `stream ${streamId}: expected version ${expected}, found ${actual}`);
  }
}
