// End to end, with the REAL Claude Code CLI (2.1.197) against the mock API: what experimental agent
// teams (CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS=1) look like to hooks and on disk.
//
// Facts pinned here (all measured, see /tmp/teams-facts.md for the write-up):
//   - there is no TeamCreate/TeamDelete tool in 2.1.197: a session has ONE implicit team, named
//     `session-<first 8 chars of the lead's session id>`, created at startup of an INTERACTIVE
//     session only; a teammate is spawned with the Agent tool's `name` parameter;
//   - under `-p` no team exists: Agent{name} is an ordinary synchronous subagent, TaskCompleted
//     carries no teammate/team fields, no TeammateIdle, the task list lives in tasks/<session id>/;
//   - teammateMode "in-process": the teammate shares the lead's session_id and process; its hooks
//     carry agent_id `a<name>-<16 hex>` and agent_type = the teammate's NAME; SubagentStart/Stop
//     frame each of its turns;
//   - teammateMode "tmux": the teammate is its own `claude` process (argv --agent-id <name>@<team>
//     --agent-name --team-name --parent-session-id <lead session> --agent-type …) with its OWN
//     session_id and transcript, no agent_id, agent_type = the agent type (general-purpose);
//   - TaskCompleted / TeammateIdle carry teammate_name + team_name when fired by a teammate;
//     TaskCreated by the lead carries neither; no hook env var names the team or the agent.
// The interactive lead runs inside a private detached tmux server (a PTY) and is ended with /exit.
// Set LOGBOOK_E2E_KEEP=1 to keep the temp dirs.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { enableAgentTeamsInSettings, installTeamProbe, runInteractiveLeadInTmux, tmuxAvailable, type InteractiveLeadResult, type TeamProbe, type TeamProbeRecord } from './agent-teams';
import { startMockAnthropic, type MockOptions, type MockTurn } from './mock-anthropic';
import { describeRun, makeTempDir, mergeWorkspaceSettings, prepareClaudeHome, runClaude, type RunClaudeResult } from './run-claude';

const U = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
const text = (t: string, when?: string): MockTurn => ({ blocks: [{ type: 'text', text: t }], usage: U, ...(when === undefined ? {} : { whenLastUserIncludes: when }) });
const tool = (id: string, name: string, input: Record<string, unknown>): MockTurn => ({ blocks: [{ type: 'tool_use', id, name, input }], usage: U });

const ALLOW = ['Write', 'Read', 'TaskCreate', 'TaskUpdate', 'TaskList', 'TaskGet', 'SendMessage', 'Agent', 'Bash(env:*)'];

/** Lead: creates task 1, spawns teammate "worker"; teammate: claims, does and completes task 1, reports. */
function teamScripts(workspace: string): MockOptions {
  return {
    scripts: [
      {
        name: 'mate',
        marker: 'TEAMMATE-W:',
        turns: [
          tool('toolu_m1', 'TaskUpdate', { taskId: '1', status: 'in_progress', owner: 'worker' }),
          tool('toolu_m2', 'Write', { file_path: join(workspace, 'w.txt'), content: 'from worker\n' }),
          tool('toolu_m3', 'TaskUpdate', { taskId: '1', status: 'completed' }),
          tool('toolu_m4', 'SendMessage', { to: 'team-lead', summary: 'task 1 done', message: 'WORKER-REPORT: task 1 done' }),
          text('worker done'),
          // Later wake-ups (the task_assignment the owner change sent, a shutdown request): just answer.
          text('worker noted assignment', 'task_assignment'),
          text('worker shutting down', 'shutdown'),
        ],
      },
      {
        name: 'lead',
        marker: 'LEAD:',
        turns: [
          tool('toolu_l1', 'TaskCreate', { subject: 'Write w.txt', description: 'write the file' }),
          tool('toolu_l2', 'Agent', { description: 'worker', prompt: 'TEAMMATE-W: do task 1', name: 'worker', subagent_type: 'general-purpose' }),
          text('lead waiting'),
          text('lead got report', 'WORKER-REPORT'),
          text('lead saw teammate message', 'teammate'),
        ],
      },
    ],
    compaction: text('summary'),
    fallback: text('ok'),
  };
}

const ev = (records: readonly TeamProbeRecord[], name: string): TeamProbeRecord[] => records.filter((r) => r.payload['hook_event_name'] === name);
const str = (r: TeamProbeRecord | undefined, key: string): unknown => r?.payload[key];

function setup(prefix: string): { workspace: string; home: string; probe: TeamProbe } {
  const workspace = makeTempDir(`logbook-e2e-${prefix}-`);
  const probe = installTeamProbe(workspace, makeTempDir(`logbook-e2e-${prefix}-probe-`));
  mergeWorkspaceSettings(workspace, { allow: ALLOW });
  enableAgentTeamsInSettings(workspace);
  return { workspace, home: prepareClaudeHome(workspace), probe };
}

const dirs: string[] = [];
after(() => {
  if (process.env['LOGBOOK_E2E_KEEP'] === '1') return;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('agent teams under -p: no team, Agent{name} is a plain subagent', () => {
  let ctx: ReturnType<typeof setup>;
  let run: RunClaudeResult | undefined;
  let records: TeamProbeRecord[] = [];

  before(async () => {
    ctx = setup('teams-p');
    dirs.push(ctx.workspace, ctx.home);
    const mock = await startMockAnthropic(teamScripts(ctx.workspace));
    try {
      run = await runClaude({ workspace: ctx.workspace, home: ctx.home, baseUrl: mock.url, prompt: 'LEAD: make a team', timeoutMs: 30_000 });
    } finally {
      await mock.close();
    }
    records = ctx.probe.read();
  });

  it('offers no TeamCreate tool; the teammate runs as a synchronous general-purpose subagent', () => {
    assert.ok(run !== undefined && run.exitCode === 0, run === undefined ? 'no run' : describeRun(run));
    const agent = ev(records, 'PostToolUse').find((r) => r.payload['tool_name'] === 'Agent');
    const response = agent?.payload['tool_response'] as Record<string, unknown> | undefined;
    assert.equal(response?.['status'], 'completed');
    const start = ev(records, 'SubagentStart');
    assert.equal(start.length, 1);
    assert.equal(str(start[0], 'agent_type'), 'general-purpose');
    assert.match(String(str(start[0], 'agent_id')), /^a[0-9a-f]{16}$/);
    assert.equal(ev(records, 'TeammateIdle').length, 0);
  });

  it('TaskCreated/TaskCompleted fire without team fields; the task list is tasks/<session id>/, no team config', () => {
    const sessionId = run?.sessionId ?? '';
    const created = ev(records, 'TaskCreated');
    const completed = ev(records, 'TaskCompleted');
    assert.equal(created.length, 1);
    assert.equal(completed.length, 1);
    for (const r of [...created, ...completed]) {
      assert.equal(str(r, 'session_id'), sessionId);
      assert.equal(str(r, 'task_id'), '1');
      assert.equal(str(r, 'task_subject'), 'Write w.txt');
      assert.equal(str(r, 'teammate_name'), undefined);
      assert.equal(str(r, 'team_name'), undefined);
      // Fired from inside the subagent's TaskUpdate, yet TaskCompleted carries no agent_id.
      assert.equal(str(r, 'agent_id'), undefined);
    }
    const task = JSON.parse(readFileSync(join(ctx.home, '.claude', 'tasks', sessionId, '1.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(task, { id: '1', subject: 'Write w.txt', description: 'write the file', owner: 'worker', status: 'completed', blocks: [], blockedBy: [] });
    assert.equal(existsSync(join(ctx.home, '.claude', 'teams', sessionId, 'config.json')), false);
  });
});

for (const mode of ['in-process', 'tmux'] as const) {
  describe(`agent teams, interactive lead, teammateMode ${mode}`, { skip: tmuxAvailable() ? false : 'tmux not installed (needed as the PTY host)' }, () => {
    let ctx: ReturnType<typeof setup>;
    let lead: InteractiveLeadResult | undefined;
    let records: TeamProbeRecord[] = [];
    let leadSession = '';
    let team = '';

    before(async () => {
      ctx = setup(`teams-${mode}`);
      const runDir = makeTempDir(`logbook-e2e-teams-${mode}-run-`);
      dirs.push(ctx.workspace, ctx.home, runDir);
      const mock = await startMockAnthropic(teamScripts(ctx.workspace));
      const leadStart = (): TeamProbeRecord | undefined => ev(ctx.probe.read(), 'SessionStart').find((r) => r.claude?.argv.includes('--teammate-mode') === true);
      try {
        lead = await runInteractiveLeadInTmux({
          workspace: ctx.workspace,
          home: ctx.home,
          baseUrl: mock.url,
          prompt: 'LEAD: make a team',
          teammateMode: mode,
          dir: runDir,
          // Ready once the teammate went idle and the lead answered the report it sent.
          readyToExit: () => {
            const all = ctx.probe.read();
            const idle = all.findIndex((r) => r.payload['hook_event_name'] === 'TeammateIdle');
            const leadId = str(leadStart(), 'session_id');
            return idle >= 0 && all.slice(idle).some((r) => r.payload['hook_event_name'] === 'Stop' && r.payload['session_id'] === leadId && r.payload['last_assistant_message'] !== 'lead waiting');
          },
          exited: () => {
            const ends = ev(ctx.probe.read(), 'SessionEnd');
            return ends.length >= (mode === 'tmux' ? 2 : 1);
          },
          timeoutMs: 40_000,
        });
      } finally {
        await mock.close();
      }
      records = ctx.probe.read();
      leadSession = String(str(leadStart(), 'session_id'));
      team = `session-${leadSession.slice(0, 8)}`;
    });

    it('the lead spawns the teammate with Agent{name}; the team is session-<8 chars of the lead session id>', () => {
      assert.ok(lead?.readyInTime === true, `lead not done in time; screen:\n${lead?.screen ?? ''}\nstderr: ${lead?.stderr ?? ''}`);
      const agent = ev(records, 'PostToolUse').find((r) => r.payload['tool_name'] === 'Agent');
      assert.equal(str(agent, 'session_id'), leadSession);
      const response = agent?.payload['tool_response'] as Record<string, unknown>;
      assert.equal(response['status'], 'teammate_spawned');
      assert.equal(response['agent_id'], `worker@${team}`);
      assert.equal(response['teammate_id'], `worker@${team}`);
      assert.equal(response['team_name'], team);
      assert.equal(response['name'], 'worker');
      if (mode === 'in-process') assert.equal(response['tmux_pane_id'], 'in-process');
    });

    it('team config lives in ~/.claude/teams/<team>/ (deleted at lead exit); the task list in ~/.claude/tasks/<team>/ (kept)', () => {
      // The team dir exists from the lead's SessionStart on and is deleted when the lead exits: read it from the probe's snapshot.
      assert.ok(ev(records, 'SessionStart')[0]?.teams[`${team}/config.json`] !== undefined, 'config.json exists at the lead SessionStart');
      const idleSnap = ev(records, 'TeammateIdle')[0]?.teams ?? {};
      const config = JSON.parse(idleSnap[`${team}/config.json`] ?? '{}') as Record<string, unknown>;
      assert.equal(config['name'], team);
      assert.equal(config['leadSessionId'], leadSession);
      assert.equal(config['leadAgentId'], `team-lead@${team}`);
      const members = config['members'] as Record<string, unknown>[];
      assert.deepEqual(members.map((m) => m['agentId']), [`team-lead@${team}`, `worker@${team}`]);
      assert.equal(members[1]?.['agentType'], 'general-purpose');
      assert.equal(members[1]?.['prompt'], 'TEAMMATE-W: do task 1');
      assert.equal(members[1]?.['backendType'], mode);
      if (mode === 'in-process') assert.equal(members[1]?.['tmuxPaneId'], 'in-process');
      else assert.match(String(members[1]?.['tmuxPaneId']), /^%\d+$/);
      // At TaskCompleted time the shared task file shows the teammate as owner.
      const completed = ev(records, 'TaskCompleted')[0];
      const task = JSON.parse(completed?.tasks[`${team}/1.json`] ?? '{}') as Record<string, unknown>;
      assert.equal(task['owner'], 'worker');
      assert.equal(task['subject'], 'Write w.txt');
      assert.ok(idleSnap[`${team}/inboxes/worker.json`] !== undefined, 'teammate inbox exists while the team runs');
      // After /exit: teams/<team>/ is gone, the task list stays.
      assert.equal(existsSync(join(ctx.home, '.claude', 'teams', team)), false);
      // The list is either still there (1.json, completed) or was reset after completion (task files deleted,
      // .highwatermark keeps the highest id so ids are not reused): both seen with 2.1.197, timing-dependent.
      const tasksDir = join(ctx.home, '.claude', 'tasks', team);
      if (existsSync(join(tasksDir, '1.json'))) {
        const finalTask = JSON.parse(readFileSync(join(tasksDir, '1.json'), 'utf8')) as Record<string, unknown>;
        assert.deepEqual(finalTask, { id: '1', subject: 'Write w.txt', description: 'write the file', owner: 'worker', status: 'completed', blocks: [], blockedBy: [] });
      } else {
        assert.equal(readFileSync(join(tasksDir, '.highwatermark'), 'utf8').trim(), '1');
      }
    });

    it('TaskCreated (lead) has no team fields; TaskCompleted and TeammateIdle (teammate) carry teammate_name and team_name', () => {
      const created = ev(records, 'TaskCreated');
      assert.equal(created.length, 1);
      assert.equal(str(created[0], 'session_id'), leadSession);
      assert.equal(str(created[0], 'task_id'), '1');
      assert.equal(str(created[0], 'teammate_name'), undefined);
      assert.equal(str(created[0], 'team_name'), undefined);
      const completed = ev(records, 'TaskCompleted');
      assert.equal(completed.length, 1);
      assert.equal(str(completed[0], 'task_id'), '1');
      assert.equal(str(completed[0], 'task_subject'), 'Write w.txt');
      assert.equal(str(completed[0], 'teammate_name'), 'worker');
      assert.equal(str(completed[0], 'team_name'), team);
      assert.equal(str(completed[0], 'agent_id'), undefined);
      const idle = ev(records, 'TeammateIdle');
      assert.ok(idle.length >= 1);
      for (const r of idle) {
        assert.equal(str(r, 'teammate_name'), 'worker');
        assert.equal(str(r, 'team_name'), team);
        assert.equal(str(r, 'agent_id'), undefined);
      }
    });

    if (mode === 'in-process') {
      it('in-process: the teammate shares the lead session and process, with agent_id a<name>-<hex> and agent_type = its name', () => {
        const mateTools = ev(records, 'PreToolUse').filter((r) => r.payload['agent_id'] !== undefined);
        assert.ok(mateTools.length >= 3);
        const agentId = String(str(mateTools[0], 'agent_id'));
        assert.match(agentId, /^aworker-[0-9a-f]{16}$/);
        for (const r of mateTools) {
          assert.equal(str(r, 'session_id'), leadSession);
          assert.equal(str(r, 'agent_id'), agentId);
          assert.equal(str(r, 'agent_type'), 'worker');
        }
        const sessions = new Set(records.map((r) => r.payload['session_id']));
        assert.deepEqual([...sessions], [leadSession]);
        assert.equal(new Set(records.map((r) => r.claude?.pid)).size, 1, 'every hook ran under the one lead process');
        assert.equal(ev(records, 'SessionStart').length, 1);
        const starts = ev(records, 'SubagentStart');
        assert.ok(starts.length >= 1);
        for (const r of starts) assert.deepEqual([str(r, 'agent_id'), str(r, 'agent_type')], [agentId, 'worker']);
        const stop = ev(records, 'SubagentStop')[0];
        assert.equal(str(stop, 'agent_transcript_path'), join(ctx.home, '.claude', 'projects', String(str(stop, 'transcript_path')).split('/').slice(-2)[0] ?? '', leadSession, 'subagents', `agent-${agentId}.jsonl`));
        const meta = JSON.parse(readFileSync(String(str(stop, 'agent_transcript_path')).replace(/\.jsonl$/, '.meta.json'), 'utf8')) as Record<string, unknown>;
        assert.equal(meta['taskKind'], 'in_process_teammate');
        assert.equal(meta['teamName'], team);
        assert.equal(meta['name'], 'worker');
      });
    } else {
      it('tmux: the teammate is its own claude process with its own session_id, launched with --agent-id/--team-name/--parent-session-id', () => {
        const mateStart = ev(records, 'SessionStart').find((r) => r.payload['session_id'] !== leadSession);
        assert.ok(mateStart !== undefined, 'teammate SessionStart');
        const mateSession = String(str(mateStart, 'session_id'));
        assert.notEqual(mateSession, leadSession);
        assert.equal(str(mateStart, 'agent_type'), 'general-purpose');
        assert.equal(str(mateStart, 'agent_id'), undefined);
        assert.equal(str(mateStart, 'source'), 'startup');
        assert.equal(String(str(mateStart, 'transcript_path')).endsWith(`/${mateSession}.jsonl`), true);
        const argv = mateStart.claude?.argv ?? [];
        const flag = (name: string): string | undefined => argv[argv.indexOf(name) + 1];
        assert.equal(flag('--agent-id'), `worker@${team}`);
        assert.equal(flag('--agent-name'), 'worker');
        assert.equal(flag('--team-name'), team);
        assert.equal(flag('--parent-session-id'), leadSession);
        assert.equal(flag('--agent-type'), 'general-purpose');
        assert.notEqual(mateStart.claude?.pid, ev(records, 'SessionStart').find((r) => r.payload['session_id'] === leadSession)?.claude?.pid);
        // The teammate's task and idle events are in ITS session; the task was created in the lead's.
        assert.equal(str(ev(records, 'TaskCompleted')[0], 'session_id'), mateSession);
        for (const r of ev(records, 'TeammateIdle')) assert.equal(str(r, 'session_id'), mateSession);
        // Its tool hooks are main-thread hooks of its own session: no agent_id, agent_type = agent type.
        const mateTools = ev(records, 'PreToolUse').filter((r) => r.payload['session_id'] === mateSession);
        assert.ok(mateTools.length >= 3);
        for (const r of mateTools) assert.deepEqual([str(r, 'agent_id'), str(r, 'agent_type')], [undefined, 'general-purpose']);
        // No SubagentStart/Stop anywhere for the teammate.
        assert.equal(ev(records, 'SubagentStart').length, 0);
        assert.ok(lead?.exitedInTime === true, 'both sessions ended');
        const mateEnd = ev(records, 'SessionEnd').find((r) => r.payload['session_id'] === mateSession);
        assert.equal(str(mateEnd, 'reason'), 'other');
        const transcripts = readdirSync(join(ctx.home, '.claude', 'projects', String(str(mateStart, 'transcript_path')).split('/').slice(-2)[0] ?? '')).filter((f) => f.endsWith('.jsonl')).sort();
        assert.deepEqual(transcripts, [`${leadSession}.jsonl`, `${mateSession}.jsonl`].sort());
      });
    }

    it('hook env names neither team nor agent; CLAUDE_CODE_SESSION_ID is the hook\'s own session_id', () => {
      assert.ok(records.length > 10);
      for (const r of records) {
        assert.equal(r.env['CLAUDE_CODE_SESSION_ID'], r.payload['session_id']);
        assert.equal(r.env['CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS'], '1');
        const teamish = Object.keys(r.env).filter((k) => /TEAM|AGENT_(NAME|ID)|PARENT/.test(k) && k !== 'CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS');
        assert.deepEqual(teamish, [], `${String(r.payload['hook_event_name'])} env`);
      }
      const leadEnd = ev(records, 'SessionEnd').find((r) => r.payload['session_id'] === leadSession);
      assert.equal(str(leadEnd, 'reason'), 'prompt_input_exit');
    });
  });
}
