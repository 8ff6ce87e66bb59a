import { ORIGIN_SH, WORKTREE_FORWARD_SH } from './launcher-origin';

/** Marker file (in `.logbook/`) that records that the launcher already explained why it could not run the hook. */
export const HOOK_WARNED_MARKER = '.hook-warned';

/**
 * The POSIX sh program installed as `.logbook/bin/logbook-hook`. Claude Code runs it as
 * `"$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook <EventName>` with the payload on stdin.
 *
 * It lives in the workspace (not the extension folder) so hooks survive extension upgrades and
 * work on a teammate's machine, and it finds a runtime at run time because Claude Code ships as a
 * native binary: `node` may be missing, while VS Code's own executable can act as node.
 *
 * It fails open: when it cannot run the hook program it keeps the raw payload in the inbox as a
 * `*.rawhook` file (the ingestor reads those later), says why once on stderr, and exits 0.
 * Exit code 2 would block Claude Code, so no path here returns it.
 */
export const LAUNCHER_SCRIPT = `#!/bin/sh
# Agent Logbook hook launcher. Written by the installer: reinstalling the hooks overwrites it.
# Usage (from Claude Code settings): "$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook <EventName>
# An event that decides nothing is saved to the inbox by this script alone (no Node start); one
# that may decide (PreToolUse, Stop and SessionStart while a workflow is in force; PreToolUse while
# a session is held) runs the hook program. It never blocks Claude Code: if neither can run, the reason is printed once, exit 0.

# Claude Code runs us by path ("$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook): strip the name
# without forking; only a bare name (found on PATH) needs dirname.
case $0 in
  */*) bin_dir=\${0%/*} ;;
  *) bin_dir=$(dirname -- "$(command -v -- "$0")") ;;
esac
case $bin_dir in
  */*) logbook_dir=\${bin_dir%/*} ;;
  *) logbook_dir=$(dirname -- "$bin_dir") ;;
esac
script="$bin_dir/hook.cjs"
runtime_file="$bin_dir/runtime"
inbox="$logbook_dir/inbox"
event=\${1:-unknown}
case $event in
  *[!A-Za-z0-9_]*) event=unknown ;;
esac
${WORKTREE_FORWARD_SH}
# Private files. Nothing is written through a link (a cloned repository may plant one under
# .logbook/): each folder must be a real folder of ours, each file is created new (set -C: O_EXCL).
umask 077
set -C
own_dir() {
  [ -L "$1" ] && return 1
  [ -d "$1" ] || mkdir -m 700 "$1" 2>/dev/null || return 1
  [ ! -L "$1" ] && [ -d "$1" ] && [ -O "$1" ]
}
absent() {
  [ ! -e "$1" ] && [ ! -L "$1" ]
}
# The provenance token (src/capture/provenance.ts, "t1"): the third line of this user's key file,
# written when the key was made. No key yet: the hook program makes it.
key_token() {
  key_file=\${LOGBOOK_KEY_FILE:-$HOME/.config/agent-logbook/key}
  [ -f "$key_file" ] && [ ! -L "$key_file" ] && [ -O "$key_file" ] || return 1
  { IFS= read -r _header; IFS= read -r _key; IFS= read -r token; } < "$key_file" 2>/dev/null || return 1
  [ "$_header" = "agent-logbook provenance key v2" ] || return 1
  case $token in
    *[!0-9a-f]*|'') return 1 ;;
  esac
  [ \${#token} -eq 64 ]
}
# Receive time in microseconds, which orders the inbox; GNU date only (elsewhere %N is not a number).
micros=$(date +%s%6N 2>/dev/null)
case $micros in
  ''|*[!0-9]*) micros= ;;
esac
# Saves stdin as "<µs>-sh<pid>-<event>.rawhook": the token line, then the payload's exact bytes,
# staged in .tmp and renamed in whole, so the writer never sees half of it. "$1" = fast: only with
# the key and a microsecond clock, and it fails before reading stdin, so the hook program can still
# take the event. "$1" = last: anything to keep the payload (unstamped, it is kept aside at ingest).
record() {
  token=
  if [ "$1" = fast ]; then
    [ -n "$micros" ] && key_token || return 1
  else
    key_token || token=
    [ -n "$micros" ] || micros="$(date +%s 2>/dev/null)000000"
  fi
  own_dir "$logbook_dir" && own_dir "$inbox" && own_dir "$inbox/.tmp" || return 1
  while [ \${#micros} -lt 17 ]; do micros="0$micros"; done
  name="$micros-sh$$-$event.rawhook"
  staged="$inbox/.tmp/$name"
  absent "$staged" || return 1
  if { [ -z "$token" ] || printf '#logbook t1.%s\\n' "$token"; cat; } > "$staged" 2>/dev/null && absent "$inbox/$name" && mv -f -- "$staged" "$inbox/$name" 2>/dev/null; then
    [ "$1" = fast ] && exit 0
    saved="the event was saved to $inbox and is recorded when Agent Logbook next runs"
    warn
  fi
  rm -f -- "$staged" 2>/dev/null
  reason="a $event event could not be recorded"
  saved="it could not be saved to $inbox (disk full, or a name there was taken)"
  warn
}
warn() {
  marker="$logbook_dir/${HOOK_WARNED_MARKER}"
  if absent "$marker"; then
    printf 'Agent Logbook: %s; %s. Said once; delete %s to see it again.\\n' "$reason" "$saved" "$marker" >&2
    own_dir "$logbook_dir" && : > "$marker" 2>/dev/null
  fi
  exit 0
}

# A held session (holds.ts) waits in the hook program's PreToolUse: while any hold file is there,
# PreToolUse goes to Node. A glob, not ls: no fork when none is.
held() {
  for hold in "$logbook_dir"/state/holds/*.json; do
    [ -e "$hold" ] && return 0
    break
  done
  return 1
}
${ORIGIN_SH}[ "$event" = SessionStart ] && origin
case $event in
  PreToolUse) [ -e "$logbook_dir/state/workflow.json" ] || held || record fast ;;
  Stop|SessionStart) [ -e "$logbook_dir/state/workflow.json" ] || record fast ;;
  *) record fast ;;
esac

# The hook program: it decides, makes the key on first use, and reports what it cannot write.
if [ -f "$script" ]; then
  if command -v node >/dev/null 2>&1; then
    exec node "$script" "$@"
  fi
  if [ -f "$runtime_file" ]; then
    runtime=
    IFS= read -r runtime 2>/dev/null < "$runtime_file"
    if [ -n "$runtime" ] && [ -f "$runtime" ] && [ -x "$runtime" ]; then
      ELECTRON_RUN_AS_NODE=1
      export ELECTRON_RUN_AS_NODE
      exec "$runtime" "$script" "$@"
    fi
  fi
  reason="hook not run: no JavaScript runtime (node is not on PATH and $runtime_file does not name an executable); install Node.js or reinstall the hooks (Logbook: Install Claude Code Hooks)"
else
  reason="hook not run: the hook program $script is missing; reinstall the hooks (Logbook: Install Claude Code Hooks)"
fi
# Keep the payload so nothing is lost (a decision cannot be made without the hook program).
saved="the event was not saved: $logbook_dir, $inbox or $inbox/.tmp is a link or not your own folder, and Agent Logbook does not write through links"
record last
warn
`;

/** The MCP server's launcher, next to the hook's in `.logbook/bin/`. */
export const MCP_LAUNCHER_NAME = 'logbook-mcp';

/**
 * The POSIX sh program installed as `.logbook/bin/logbook-mcp`, which `.mcp.json` runs as
 * `.logbook/bin/logbook-mcp mcp`, a path relative to the project (Claude Code starts a project
 * server in the directory it was started from), so the committed `.mcp.json` is the same in
 * every clone. The logbook program's path differs per machine (the extension's install folder,
 * or the npm package's): the installer writes it to `.logbook/bin/cli`, git-ignored like
 * `.logbook/bin/runtime`. It finds a runtime the way the hook launcher does (node on PATH, else
 * the runtime recorded in `.logbook/bin/runtime`, VS Code's own, with ELECTRON_RUN_AS_NODE=1),
 * because Claude Code starts the server without any guarantee that node is on PATH. Unlike a
 * hook it has nothing to keep and nobody to block: when it cannot start the server it says why
 * on stderr (Claude Code shows it in its MCP log and marks the server failed) and exits 1.
 */
export const MCP_LAUNCHER_SCRIPT = `#!/bin/sh
# Agent Logbook MCP server launcher. Written by the installer: reinstalling the hooks overwrites it.
# Usage (from .mcp.json, relative to the project): .logbook/bin/logbook-mcp mcp
# The path of the logbook program on this machine is in .logbook/bin/cli (git-ignored: each
# clone's installer writes its own).

case $0 in
  */*) bin_dir=\${0%/*} ;;
  *) bin_dir=$(dirname -- "$(command -v -- "$0")") ;;
esac
runtime_file="$bin_dir/runtime"
cli_file="$bin_dir/cli"
fix="reinstall the hooks in this folder (Logbook: Install Claude Code Hooks in VS Code, or npx logbook install-hooks)"

cli=
if [ -f "$cli_file" ]; then
  IFS= read -r cli 2>/dev/null < "$cli_file"
fi
if [ -z "$cli" ]; then
  printf 'Agent Logbook: cannot start the MCP server: %s does not name the logbook program (a fresh clone?); %s.\\n' "$cli_file" "$fix" >&2
  exit 1
fi
if [ ! -f "$cli" ]; then
  printf 'Agent Logbook: cannot start the MCP server: the logbook program %s is missing (the extension was updated or removed?); %s.\\n' "$cli" "$fix" >&2
  exit 1
fi
if command -v node >/dev/null 2>&1; then
  exec node "$cli" "$@"
fi
if [ -f "$runtime_file" ]; then
  runtime=
  IFS= read -r runtime 2>/dev/null < "$runtime_file"
  if [ -n "$runtime" ] && [ -f "$runtime" ] && [ -x "$runtime" ]; then
    ELECTRON_RUN_AS_NODE=1
    export ELECTRON_RUN_AS_NODE
    exec "$runtime" "$cli" "$@"
  fi
fi
printf 'Agent Logbook: cannot start the MCP server: no JavaScript runtime (node is not on PATH and %s does not name an executable); install Node.js, or %s from VS Code so they use its runtime.\\n' "$runtime_file" "$fix" >&2
exit 1
`;
