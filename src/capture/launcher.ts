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
# It never blocks Claude Code: if the hook program cannot run, the payload is saved to the
# inbox, the reason is printed once, and it exits 0.

# Claude Code runs us by path ("$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook): strip the name
# without forking; only a bare name (found on PATH) needs dirname.
case $0 in
  */*) bin_dir=\${0%/*} ;;
  *) bin_dir=$(dirname -- "$(command -v -- "$0")") ;;
esac
script="$bin_dir/hook.cjs"
runtime_file="$bin_dir/runtime"

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
  reason="no JavaScript runtime (node is not on PATH and $runtime_file does not name an executable)"
else
  reason="the hook program $script is missing"
fi

# Fallback: keep the payload so nothing is lost. Private files; stage in .tmp, then rename.
# Nothing is written through a link (a cloned repository may plant one under .logbook/): each
# folder must be a real folder of ours, each file is created new (set -C: O_EXCL).
umask 077
set -C
logbook_dir=$(dirname -- "$bin_dir")
inbox="$logbook_dir/inbox"
event=\${1:-unknown}
case $event in
  *[!A-Za-z0-9_]*) event=unknown ;;
esac
micros=$(date +%s%6N 2>/dev/null)
case $micros in
  ''|*[!0-9]*) micros="$(date +%s 2>/dev/null)000000" ;;
esac
while [ \${#micros} -lt 17 ]; do micros="0$micros"; done
base="$micros-sh$$-$event"
own_dir() {
  [ -L "$1" ] && return 1
  [ -d "$1" ] || mkdir -m 700 "$1" 2>/dev/null || return 1
  [ ! -L "$1" ] && [ -d "$1" ] && [ -O "$1" ]
}
absent() {
  [ ! -e "$1" ] && [ ! -L "$1" ]
}
# The provenance stamp (src/capture/provenance.ts, "s1"): with no JavaScript runtime there is no
# HMAC, so sha256(outer + sha256hex(inner + name + newline + payload)), with the two secrets the
# key file keeps for this launcher. No key or no sha256 tool: the entry is saved unstamped, and
# the writer keeps it aside instead of recording it as an event.
hash256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256
  else return 1
  fi
}
stamp_of() {
  key_file=\${LOGBOOK_KEY_FILE:-$HOME/.config/agent-logbook/key}
  [ -f "$key_file" ] && [ ! -L "$key_file" ] && [ -O "$key_file" ] || return 1
  { IFS= read -r _header; IFS= read -r _key; IFS= read -r _token; IFS= read -r inner_key; IFS= read -r outer_key; } < "$key_file" 2>/dev/null || return 1
  inner=$( { printf '%s%s\n' "$inner_key" "$base"; cat "$1"; } | hash256 ) || return 1
  outer=$(printf '%s%s' "$outer_key" "\${inner%% *}" | hash256) || return 1
  outer=\${outer%% *}
  case $outer in
    *[!0-9a-f]*|'') return 1 ;;
  esac
  [ \${#outer} -eq 64 ] && printf '%s' "$outer"
}
if own_dir "$logbook_dir" && own_dir "$inbox" && own_dir "$inbox/.tmp"; then
  staged="$inbox/.tmp/$base.rawhook"
  if absent "$staged" && cat > "$staged" 2>/dev/null; then
    stamp=$(stamp_of "$staged") && name="$base.$stamp.rawhook" || name="$base.rawhook"
    if absent "$inbox/$name" && mv -f "$staged" "$inbox/$name" 2>/dev/null; then
      saved="the event was saved to $inbox and is recorded when Agent Logbook next runs"
    else
      rm -f "$staged" 2>/dev/null
      saved="the event could not be saved"
    fi
  else
    rm -f "$staged" 2>/dev/null
    saved="the event could not be saved"
  fi
else
  saved="the event was not saved: $logbook_dir, $inbox or $inbox/.tmp is a link or not your own folder, and Agent Logbook does not write through links"
fi

marker="$logbook_dir/${HOOK_WARNED_MARKER}"
if absent "$marker"; then
  printf 'Agent Logbook: hook not run: %s; %s. Install Node.js or reinstall the hooks (Logbook: Install Claude Code Hooks). Said once; delete %s to see it again.\\n' "$reason" "$saved" "$marker" >&2
  own_dir "$logbook_dir" && : > "$marker" 2>/dev/null
fi
exit 0
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
