// The V8 flags every `logbook` command but the long-lived ones runs under, set by the bin before
// it loads the CLI bundle, and by the build before it makes the bundle's code cache (V8 refuses a
// cache made under other flags).
// - --liftoff-only: V8's optimising tier would compile all of SQLite's WASM on background threads
//   (about 170 ms of CPU, and the process waits for it at exit) for code that never runs long
//   enough to pay it back (an ingest of 5,000 events: 2.5 s with the baseline tier alone, 2.9 s
//   with both).
// WASM stays compiled lazily (each SQLite function on its first call): compiled eagerly on
// another core while this one loads the bundle, all of SQLite took longer (110 ms of both cores)
// than the functions a command runs take to compile here (about 40 ms); and starting the lazy
// compile (10 ms of validation) there before the bundle loads saved nothing measurable.

export const COMMAND_V8_FLAGS: readonly string[] = ['--liftoff-only'];

/** Commands that live long (the MCP server as long as its client; a rebuild for minutes) keep V8's defaults. */
export function runsWithCommandFlags(command: string | undefined): boolean {
  return command !== 'mcp' && command !== 'rebuild';
}
