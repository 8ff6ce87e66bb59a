// Parts of the hook launcher (launcher.ts) for sessions that work together (issue 16): the hand-off
// of a linked git worktree's events to the main worktree's logbook, and the LogbookOrigin record a
// SessionStart leaves beside its own event. Facts they rest on, each checked with the real CLI in
// test/e2e/links.e2e.test.ts:
// - Claude Code runs a hook as `/bin/sh -c <command>` under the session's own process, and keeps
//   ~/.claude/sessions/<pid>.json (with the sessionId) while a session's process runs;
// - its Bash tool sets CLAUDE_CODE_SESSION_ID (the calling session) and, with tracing on,
//   TRACEPARENT in the command's environment; a `claude` started there sets its own
//   CLAUDE_CODE_SESSION_ID for its hooks, but /proc/<pid>/environ keeps the one it started with;
// - the Bash tool's shell is `bash -c '… eval '\''<command>'\'' …'`, a child of the calling claude.

/** The event a SessionStart's launcher records beside it: where the session came from. Ours, not Claude Code's. */
export const ORIGIN_EVENT = 'LogbookOrigin';

/**
 * Runs first: in a linked worktree (its `.git` is a file naming `<main>/.git/worktrees/<name>`)
 * whose main worktree has the logbook's launcher, the event goes to that launcher (the payload
 * unread on stdin), so every worktree's sessions land in the repository's one logbook.
 * LOGBOOK_HOOK_FORWARDED stops a second hop.
 */
export const WORKTREE_FORWARD_SH = `# A linked git worktree hands its events to the main worktree's logbook (no fork: reads only).
if [ -z "\${LOGBOOK_HOOK_FORWARDED:-}" ] && [ -f "$logbook_dir/../.git" ] && [ ! -L "$logbook_dir/../.git" ]; then
  gitdir_line=
  IFS= read -r gitdir_line < "$logbook_dir/../.git" 2>/dev/null
  case $gitdir_line in
    'gitdir: '*/.git/worktrees/*)
      main_root=\${gitdir_line#gitdir: }
      main_root=\${main_root%/.git/worktrees/*}
      case $main_root in
        /*) ;;
        *) main_root="$logbook_dir/../$main_root" ;;
      esac
      main_hook="$main_root/.logbook/bin/logbook-hook"
      if [ -f "$main_hook" ] && [ ! -L "$main_hook" ] && [ -O "$main_hook" ] && [ ! "$main_hook" -ef "$0" ]; then
        LOGBOOK_HOOK_FORWARDED=1
        export LOGBOOK_HOOK_FORWARDED
        exec sh "$main_hook" "$@"
      fi
      ;;
  esac
fi
`;

/**
 * The origin of a session, recorded at its SessionStart as a raw payload of its own
 * (`<µs+1>-sh<pid>-LogbookOrigin.rawhook`, after the SessionStart's): the run name in its
 * environment, the session that started it (exact: the inherited CLAUDE_CODE_SESSION_ID), the
 * parent's Bash command (to tell which tool call), W3C trace context, its worktree and branch.
 * Only on Linux (/proc); a few forks, once per session start. Never fails the hook.
 */
export const ORIGIN_SH = `# Sets stat_ppid and stat_comm from /proc/<pid>/stat (no fork).
proc_stat() {
  stat_ppid=
  stat_comm=
  IFS= read -r _stat < "/proc/$1/stat" 2>/dev/null || return 1
  stat_comm=\${_stat#*(}
  stat_comm=\${stat_comm%)*}
  _rest=\${_stat##*) }
  set -- $_rest
  stat_ppid=$2
  case $stat_ppid in
    ''|*[!0-9]*) return 1 ;;
  esac
}
# Whether the process proc_stat read is a claude: its sessions file (a session's own process keeps
# one), or its name: "claude" (run through a link of that name), "claude.exe" (npm's binary), a
# version number (the native installer's), or the name of the binary CLAUDE_CODE_EXECPATH names.
# An agent team's teammate is started by the binary's own path and has no sessions file. A process
# name is at most 15 characters.
is_claude() {
  [ -e "$sessions_dir/$1.json" ] && return 0
  case $stat_comm in
    claude|claude.exe|[0-9]*.[0-9]*.[0-9]*) return 0 ;;
  esac
  [ -n "$exec_name" ] && [ "$stat_comm" = "$exec_name" ]
}
origin() {
  [ -r "/proc/$$/stat" ] && [ -n "$micros" ] || return 0
  sessions_dir=\${CLAUDE_CONFIG_DIR:-$HOME/.claude}/sessions
  exec_name=\${CLAUDE_CODE_EXECPATH:-}
  exec_name=\${exec_name##*/}
  [ \${#exec_name} -gt 15 ] && exec_name=\${exec_name%"\${exec_name#???????????????}"}
  # The session's own process: the first claude above this hook (sh -c sits between).
  own=
  pid=$PPID
  n=0
  while [ $n -lt 4 ] && proc_stat "$pid"; do
    if is_claude "$pid"; then
      own=$pid
      break
    fi
    pid=$stat_ppid
    n=$((n + 1))
  done
  [ -n "$own" ] || return 0
  run_name=\${LOGBOOK_RUN:-}
  run_var=
  if [ -f "$logbook_dir/run-variable" ] && [ ! -L "$logbook_dir/run-variable" ]; then
    IFS= read -r run_var < "$logbook_dir/run-variable" 2>/dev/null
    case $run_var in
      ''|[0-9]*|*[!A-Za-z0-9_]*) run_var= ;;
      *) eval "run_name=\\\${$run_var:-\\$run_name}" ;;
    esac
  fi
  # The environment the session's process started with (its own CLAUDE_CODE_SESSION_ID comes later).
  parent_session=
  traceparent=
  env_text=$(tr '\\000' '\\n' < "/proc/$own/environ" 2>/dev/null)
  while IFS= read -r line; do
    case $line in
      CLAUDE_CODE_SESSION_ID=*) parent_session=\${line#*=} ;;
      TRACEPARENT=*) traceparent=\${line#*=} ;;
    esac
  done <<ORIGIN_ENV
$env_text
ORIGIN_ENV
  case $parent_session in
    *[!0-9A-Za-z_-]*) parent_session= ;;
  esac
  [ "$parent_session" = "\${CLAUDE_CODE_SESSION_ID:-}" ] && parent_session=
  parent_via=
  [ -n "$parent_session" ] && parent_via=environment
  # An agent team's teammate in its own process is started with --parent-session-id, --team-name and --agent-name.
  team=
  agent_name=
  arg_parent=
  prev=
  args_text=$(tr '\\000' '\\n' < "/proc/$own/cmdline" 2>/dev/null)
  while IFS= read -r line; do
    case $prev in
      --team-name) team=$line ;;
      --agent-name) agent_name=$line ;;
      --parent-session-id) arg_parent=$line ;;
    esac
    prev=$line
  done <<ORIGIN_ARGS
$args_text
ORIGIN_ARGS
  case $team in
    *[!0-9A-Za-z_.@-]*) team= ;;
  esac
  case $agent_name in
    *[!0-9A-Za-z_.@-]*) agent_name= ;;
  esac
  case $arg_parent in
    *[!0-9A-Za-z_-]*) arg_parent= ;;
  esac
  if [ -z "$parent_session" ] && [ -n "$arg_parent" ] && [ "$arg_parent" != "\${CLAUDE_CODE_SESSION_ID:-}" ]; then
    parent_session=$arg_parent
    parent_via=argument
  fi
  case $traceparent in
    *[!0-9a-f-]*) traceparent= ;;
  esac
  # The parent's tool shell: the process right under the next claude up the tree.
  parent_command=
  parent_pid=
  if [ "$parent_via" = environment ] && proc_stat "$own"; then
    below=$own
    pid=$stat_ppid
    n=0
    while [ $n -lt 16 ] && [ "$pid" -gt 1 ] && proc_stat "$pid"; do
      if is_claude "$pid"; then
        parent_pid=$pid
        [ "$below" != "$own" ] && parent_command=$(tr '\\000\\n\\t' '   ' < "/proc/$below/cmdline" 2>/dev/null | head -c 8192)
        break
      fi
      below=$pid
      pid=$stat_ppid
      n=$((n + 1))
    done
  fi
  # The worktree (a .git file) or main checkout (a .git folder) and its branch, read, not run.
  project=\${CLAUDE_PROJECT_DIR:-$PWD}
  worktree=
  branch=
  head_dir=
  if [ -f "$project/.git" ]; then
    gitdir_line=
    IFS= read -r gitdir_line < "$project/.git" 2>/dev/null
    case $gitdir_line in
      'gitdir: /'*) head_dir=\${gitdir_line#gitdir: } ;;
      'gitdir: '*) head_dir="$project/\${gitdir_line#gitdir: }" ;;
    esac
    worktree=$project
  elif [ -d "$project/.git" ]; then
    head_dir="$project/.git"
  fi
  head=
  if [ -n "$head_dir" ] && IFS= read -r head < "$head_dir/HEAD" 2>/dev/null; then
    case $head in
      'ref: refs/heads/'*) branch=\${head#ref: refs/heads/} ;;
      *) branch=$head ;;
    esac
  fi
  # One JSON object: each value's backslashes and quotes escaped, control characters dropped.
  # The record separator, written into this script as the character itself: no fork to make it.
  sep=''
  body=$(printf "%s$sep%s\\n" session_id "\${CLAUDE_CODE_SESSION_ID:-}" run "$run_name" run_variable "\${run_var:-LOGBOOK_RUN}" \\
      parent_session_id "$parent_session" parent_via "$parent_via" parent_pid "$parent_pid" parent_command "$parent_command" traceparent "$traceparent" \\
      team "$team" agent_name "$agent_name" \\
      claude_pid "$own" project_dir "$project" worktree "$worktree" branch "$branch" \\
    | sed -e 's/[\\x01-\\x08\\x0b-\\x1d\\x1f\\t]//g' -e "/$sep\\$/d" -e 's/[\\\\"]/\\\\&/g' -e "s/^\\([a-z_]*\\)$sep\\(.*\\)\\$/\\"\\1\\":\\"\\2\\",/" | tr -d '\\n')
  case $body in
    *'"session_id":'*) ;;
    *) return 0 ;;
  esac
  origin_us=$((micros + 1))
  while [ \${#origin_us} -lt 17 ]; do origin_us="0$origin_us"; done
  key_token && own_dir "$logbook_dir" && own_dir "$inbox" && own_dir "$inbox/.tmp" || return 0
  name="$origin_us-sh$$-${ORIGIN_EVENT}.rawhook"
  staged="$inbox/.tmp/$name"
  absent "$staged" && absent "$inbox/$name" || return 0
  if printf '#logbook t1.%s\\n{"hook_event_name":"${ORIGIN_EVENT}",%s"origin_version":1}\\n' "$token" "$body" > "$staged" 2>/dev/null; then
    mv -f -- "$staged" "$inbox/$name" 2>/dev/null || rm -f -- "$staged" 2>/dev/null
  else
    rm -f -- "$staged" 2>/dev/null
  fi
  return 0
}
`;
