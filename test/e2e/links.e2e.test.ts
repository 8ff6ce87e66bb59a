// End to end, with the REAL Claude Code CLI against the mock API: sessions that work together.
//   1. A lead session whose Bash tool runs two `claude -p` workers (their own mock scripts). The
//      workers write files the lead then reads; worker B fails a tool (a Read of a missing file);
//      after reading B's file the lead's own check fails. Checked: the Claude Code facts the links
//      rest on (CLAUDECODE=1 and CLAUDE_CODE_SESSION_ID in the Bash tool's environment, the
//      ~/.claude/sessions/<pid>.json of the running lead, TRACEPARENT with propagation on), the
//      group's members and exact parent links (with the lead's tool_use_id), the file hand-offs
//      and their evidence events, the error chain starting at worker B's failure, and cost
//      attribution adding up to ccusage's token total over the three transcripts.
//   2. Two worktrees of one repository, one run: one made by `claude --worktree` (which copies
//      .claude/settings.local.json; .logbook/bin is committed), one by `git worktree add` and
//      covered by `logbook install-hooks` in the main worktree. Both land in the main
//      worktree's logbook with their worktree and branch recorded; the first commits, the second
//      reads `git log --all`: a commit hand-off.
//   3. An orchestrator's loop: two sessions started one after the other form one run, one named by
//      the variable the workspace's settings name (logbook.groups.runVariable), one by LOGBOOK_RUN.
// Needs `npm run build` first. Set LOGBOOK_E2E_KEEP=1 to keep the temp dirs.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMockAnthropic } from './mock-anthropic';
import type { MockOptions, MockUsage } from './mock-anthropic';
import { claudeBin, describeRun, logbook, makeTempDir, mergeWorkspaceSettings, prepareClaudeHome, runClaude } from './run-claude';
import { CCUSAGE_SKIP, runCcusage } from '../unit/ccusage';
import type { GroupSummary, SessionLink } from '../../src/domain/groups/model';
import type { GroupAnalysis } from '../../src/domain/groups/facts';

const U: MockUsage = { input_tokens: 120, output_tokens: 30, cache_creation_input_tokens: 40, cache_read_input_tokens: 500 };
const W: MockUsage = { input_tokens: 60, output_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 200 };
const keep = process.env['LOGBOOK_E2E_KEEP'] === '1';

interface GroupJson { group: GroupSummary; analysis: GroupAnalysis; members: Array<{ sessionId: string; failures: Array<{ eventId: string; what: string }> }> }
interface EventJson { eventId: string; streamId: string; type: string; data: Record<string, unknown> }

function ok(): MockOptions['fallback'] {
  return { blocks: [{ type: 'text', text: 'ok' }], usage: W };
}

describe('sessions that work together: a lead and two claude -p workers', { timeout: 300_000 }, () => {
  const dirs: string[] = [];
  let ws = '';
  let home = '';
  const lead = randomUUID();
  let detail: GroupJson;
  let workers: Record<'A' | 'B', string> = { A: '', B: '' };
  const json = <T>(args: string[]): T => JSON.parse(logbook([...args, '--workspace', ws], ws)) as T;

  before(async () => {
    ws = makeTempDir('logbook-e2e-links-');
    dirs.push(ws);
    logbook(['install-hooks', '--workspace', ws], ws);
    home = prepareClaudeHome(ws);
    dirs.push(home);
    mergeWorkspaceSettings(ws, { allow: ['Bash(sh:*)', 'Write', 'Read'] });
    // Trace context handed to Bash subprocesses (documented for tracing; checked here).
    const settingsPath = join(ws, '.claude', 'settings.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    // Tracing on (exporting to a closed loopback port: nothing leaves the machine).
    writeFileSync(settingsPath, JSON.stringify({ ...settings, env: {
      CLAUDE_CODE_ENABLE_TELEMETRY: '1', CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', CLAUDE_CODE_PROPAGATE_TRACEPARENT: '1',
      OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none',
    } }, null, 2));
    // The worker launcher the lead runs: records what the Bash tool's environment holds, then the worker.
    writeFileSync(join(ws, 'worker.sh'), [
      '#!/bin/sh',
      'env | grep -E "^(CLAUDECODE|CLAUDE_CODE_SESSION_ID|TRACEPARENT)=" | sort > "bash-env-$1.txt"',
      'ls "$HOME/.claude/sessions" > "sessions-$1.txt" 2>&1; cat "$HOME"/.claude/sessions/*.json >> "sessions-$1.txt" 2>/dev/null',
      `'${claudeBin()}' -p "WORKER-$1: do your part" --output-format json --permission-mode acceptEdits > "worker-$1.json" 2>"worker-$1.err"`,
      '',
    ].join('\n'));
    writeFileSync(join(ws, 'check.sh'), '#!/bin/sh\necho "b.txt is not what the lead wanted" >&2\nexit 3\n');
    const mock = await startMockAnthropic({
      scripts: [
        { name: 'worker-a', marker: 'WORKER-A:', turns: [
          { blocks: [{ type: 'tool_use', id: 'toolu_wa_write', name: 'Write', input: { file_path: join(ws, 'a.txt'), content: 'part A\n' } }], usage: W },
          { blocks: [{ type: 'text', text: 'A done' }], usage: W },
        ] },
        { name: 'worker-b', marker: 'WORKER-B:', turns: [
          { blocks: [{ type: 'tool_use', id: 'toolu_wb_write', name: 'Write', input: { file_path: join(ws, 'b.txt'), content: 'part B\n' } }], usage: W },
          { blocks: [{ type: 'tool_use', id: 'toolu_wb_read', name: 'Read', input: { file_path: join(ws, 'missing-input.txt') } }], usage: W },
          { blocks: [{ type: 'text', text: 'B done, with a failure' }], usage: W },
        ] },
        { name: 'lead', marker: 'LEAD:', turns: [
          { blocks: [{ type: 'tool_use', id: 'toolu_lead_a', name: 'Bash', input: { command: 'sh worker.sh A', description: 'run worker A' } }], usage: U },
          { blocks: [{ type: 'tool_use', id: 'toolu_lead_b', name: 'Bash', input: { command: 'sh worker.sh B', description: 'run worker B' } }], usage: U },
          { blocks: [{ type: 'tool_use', id: 'toolu_lead_ra', name: 'Read', input: { file_path: join(ws, 'a.txt') } }], usage: U },
          { blocks: [{ type: 'tool_use', id: 'toolu_lead_rb', name: 'Read', input: { file_path: join(ws, 'b.txt') } }], usage: U },
          { blocks: [{ type: 'tool_use', id: 'toolu_lead_check', name: 'Bash', input: { command: 'sh check.sh', description: 'check the parts' } }], usage: U },
          { blocks: [{ type: 'text', text: 'lead done' }], usage: U },
        ] },
      ],
      compaction: ok(),
      fallback: ok(),
    });
    try {
      const run = await runClaude({ workspace: ws, home, baseUrl: mock.url, prompt: 'LEAD: run both workers and combine their parts', sessionId: lead, timeoutMs: 120_000 });
      if (run.exitCode !== 0 || run.timedOut) throw new Error(`the lead failed: ${describeRun(run)}`);
    } finally {
      await mock.close();
    }
    for (const name of ['A', 'B'] as const) {
      const out = JSON.parse(readFileSync(join(ws, `worker-${name}.json`), 'utf8')) as { session_id: string };
      workers = { ...workers, [name]: out.session_id };
    }
    logbook(['ingest', '--workspace', ws], ws);
    const groups = json<Array<{ id: string; members: Array<{ sessionId: string }> }>>(['groups', '--json']);
    assert.equal(groups.length, 1, `one group, got ${JSON.stringify(groups.map((g) => g.id))}`);
    detail = json<GroupJson>(['group', (groups[0] as { id: string }).id, '--json']);
  });

  after(() => {
    if (!keep) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('Claude Code facts: the Bash tool hands CLAUDECODE=1, its session id and trace context to the processes it runs, and keeps sessions/<pid>.json while the lead runs', () => {
    const env = readFileSync(join(ws, 'bash-env-A.txt'), 'utf8');
    assert.match(env, /^CLAUDECODE=1$/m);
    assert.match(env, new RegExp(`^CLAUDE_CODE_SESSION_ID=${lead}$`, 'm'));
    assert.match(env, /^TRACEPARENT=00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/m);
    const sessions = readFileSync(join(ws, 'sessions-A.txt'), 'utf8');
    assert.match(sessions, /^\d+\.json$/m);
    assert.ok(sessions.includes(`"sessionId":"${lead}"`), sessions);
    // The worker's own hooks see ITS id: the parent's is only in the environment it started with.
    const origins = json<EventJson[]>(['events', '--type', 'LogbookOrigin', '--json']);
    const ofA = origins.find((e) => e.streamId === workers.A);
    assert.equal(ofA?.data['session_id'], workers.A);
    assert.equal(ofA?.data['parent_session_id'], lead);
    assert.match(String(ofA?.data['traceparent']), /^00-[0-9a-f]{32}-/);
    assert.equal(origins.find((e) => e.streamId === lead)?.data['parent_session_id'], undefined, 'the lead has no parent');
  });

  it('the group holds the lead and both workers, with exact parent links naming the lead\'s Bash call', () => {
    const { group } = detail;
    assert.equal(group.kind, 'tree');
    assert.equal(group.id, `tree:${lead}`);
    assert.deepEqual(new Set(group.members.map((m) => m.sessionId)), new Set([lead, workers.A, workers.B]));
    assert.equal(group.members.find((m) => m.sessionId === lead)?.role, 'lead');
    for (const [name, call] of [['A', 'toolu_lead_a'], ['B', 'toolu_lead_b']] as const) {
      const member = group.members.find((m) => m.sessionId === workers[name]);
      assert.equal(member?.role, 'worker');
      assert.equal(member?.parentSessionId, lead);
      const spawn = group.links.find((l) => l.kind === 'spawn' && l.to === workers[name]) as SessionLink;
      assert.ok(spawn, `a spawn link to worker ${name}`);
      assert.equal(spawn.from, lead);
      assert.equal(spawn.exact, true);
      assert.equal(spawn.toolUseId, call);
      assert.equal(spawn.toolUseMatch, 'command');
      assert.equal(spawn.subject, `sh worker.sh ${name}`);
    }
  });

  it('file hand-offs worker → lead are inferred and name their evidence events, which are in the store', () => {
    const events = json<EventJson[]>(['events', '--limit', '1000', '--json']);
    const byId = new Map(events.map((e) => [e.eventId, e]));
    for (const name of ['A', 'B'] as const) {
      const path = join(ws, `${name.toLowerCase()}.txt`);
      const link = detail.group.links.find((l) => l.kind === 'handoff-file' && l.from === workers[name]) as SessionLink;
      assert.ok(link, `a file hand-off from worker ${name}`);
      assert.equal(link.to, lead);
      assert.equal(link.exact, false);
      assert.equal(link.subject, path);
      const [wrote, read] = link.evidence;
      assert.equal(wrote?.what, `wrote ${path}`);
      assert.equal(read?.what, `read ${path}`);
      const written = byId.get(wrote?.eventId ?? '');
      assert.equal(written?.streamId, workers[name]);
      assert.equal(written?.type, 'PostToolUse');
      assert.equal(written?.data['tool_name'], 'Write');
      const consumed = byId.get(read?.eventId ?? '');
      assert.equal(consumed?.streamId, lead);
      assert.equal(consumed?.data['tool_name'], 'Read');
    }
  });

  it('the error chain starts at worker B\'s failure and ends at the lead\'s', () => {
    const bFailure = detail.members.find((m) => m.sessionId === workers.B)?.failures[0];
    assert.ok(bFailure, 'worker B recorded a failure');
    const chain = detail.analysis.errorChains[0];
    assert.ok(chain, `an error chain (${JSON.stringify(detail.analysis.errorChains)})`);
    assert.equal(chain.steps[0]?.sessionId, workers.B);
    assert.equal(chain.steps[0]?.eventId, bFailure.eventId);
    assert.equal(chain.steps[chain.steps.length - 1]?.sessionId, lead);
    assert.equal(detail.analysis.errorChains.some((c) => c.steps[0]?.sessionId === workers.A), false, 'worker A failed nothing');
  });

  it('the critical path runs through the workers the lead waited on, and they are its bottlenecks', () => {
    const waits = detail.analysis.criticalPath.steps.filter((s) => s.kind === 'wait');
    assert.deepEqual(new Set(waits.map((s) => s.waitingOn)), new Set([workers.A, workers.B]));
    assert.deepEqual(new Set(detail.analysis.bottlenecks.map((b) => b.sessionId)), new Set([workers.A, workers.B]));
    for (const b of detail.analysis.bottlenecks) assert.ok(b.totalWaitMs > 0 && b.waiters[0]?.sessionId === lead);
  });

  it('cost attribution adds up to the group total and to ccusage\'s tokens over the three transcripts', { skip: CCUSAGE_SKIP }, () => {
    const { attribution } = detail.analysis;
    const rowTokens = attribution.rows.reduce((s, r) => s + r.tokens, 0);
    const rowCost = attribution.rows.reduce((s, r) => s + r.costUsd, 0);
    assert.equal(rowTokens, attribution.totalTokens);
    assert.ok(Math.abs(rowCost - attribution.totalCostUsd) < 1e-9);
    assert.equal(attribution.totalTokens, detail.group.tokens);
    assert.ok(Math.abs(attribution.totalCostUsd - detail.group.costUsd) < 1e-9);
    // This HOME holds these three sessions' transcripts only (ccusage 18 groups them by folder).
    const peer = runCcusage(join(home, '.claude'));
    assert.ok(peer.sessions.length > 0, 'ccusage read the transcripts');
    assert.equal(attribution.totalTokens, peer.totals.totalTokens);
    // By role: the lead's three prompts' worth of turns, the workers' own.
    assert.deepEqual(Object.keys(attribution.byRole).sort(), ['lead', 'worker']);
  });

  it('logbook timeline writes the group as one self-contained page', () => {
    const out = join(ws, 'timeline.html');
    logbook(['timeline', detail.group.id, '--html', out, '--workspace', ws], ws);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /Content-Security-Policy/);
    for (const id of [lead, workers.A, workers.B]) assert.ok(html.includes(id), `the page names ${id}`);
    assert.doesNotMatch(html, /<script[^>]+src=/);
  });
});

describe('sessions that work together: two worktrees land in the main worktree\'s logbook', { timeout: 240_000 }, () => {
  const dirs: string[] = [];
  let main = '';
  let home = '';
  let gitTree = '';
  const sessions: Record<'claude' | 'git', string> = { claude: randomUUID(), git: randomUUID() };
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-c', 'user.email=e2e@logbook.test', '-c', 'user.name=e2e', ...args], { cwd, encoding: 'utf8' });

  before(async () => {
    main = makeTempDir('logbook-e2e-wt-main-');
    dirs.push(main);
    git(main, 'init', '-q', '-b', 'main');
    logbook(['install-hooks', '--workspace', main], main);
    mergeWorkspaceSettings(main, { allow: ['Write', 'Read', 'Bash(git:*)'] });
    // What the .gitignore block asks for: .logbook/bin and the shared settings committed, the local settings not.
    writeFileSync(join(main, '.gitignore'), `${readFileSync(join(main, '.gitignore'), 'utf8')}.claude/settings.local.json\n`);
    git(main, 'add', '-A');
    git(main, 'commit', '-qm', 'project with the logbook hooks');
    assert.doesNotMatch(git(main, 'ls-files'), /settings\.local\.json/);
    home = prepareClaudeHome(main);
    dirs.push(home);
    gitTree = `${main}-feature`;
    dirs.push(gitTree);
    git(main, 'worktree', 'add', '-q', '-b', 'feature-git', gitTree);
    // The git-made worktree has no local settings: install-hooks in the main worktree covers it.
    assert.equal(existsSync(join(gitTree, '.claude', 'settings.local.json')), false);
    const installed = logbook(['install-hooks', '--workspace', main], main);
    assert.match(installed, new RegExp(`linked worktree ${gitTree.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const config = JSON.parse(readFileSync(join(home, '.claude.json'), 'utf8')) as { projects: Record<string, unknown> };
    config.projects[gitTree] = { hasTrustDialogAccepted: true };
    config.projects[join(main, '.claude', 'worktrees', 'wt-claude')] = { hasTrustDialogAccepted: true };
    writeFileSync(join(home, '.claude.json'), JSON.stringify(config));
    // The claude-side session commits its file; the git-side one then reads the log of every
    // branch (worktrees share the repository): the commit hand-off, with git's own output.
    const bash = (id: string, command: string): MockOptions['fallback'] => ({ blocks: [{ type: 'tool_use', id, name: 'Bash', input: { command, description: command } }], usage: W });
    const script = (marker: string, file: string, then: MockOptions['fallback']): MockOptions['scripts'][number] => ({ name: marker, marker, turns: [
      { blocks: [{ type: 'tool_use', id: `toolu_${file}`, name: 'Write', input: { file_path: file, content: `${marker}\n` } }], usage: W },
      then,
      { blocks: [{ type: 'text', text: 'written' }], usage: W },
    ] });
    const mock = await startMockAnthropic({ scripts: [
      script('WT-CLAUDE:', 'claude-side.txt', bash('toolu_commit', 'git add claude-side.txt && git -c user.email=e2e@logbook.test -c user.name=e2e commit -m "claude side"')),
      script('WT-GIT:', 'git-side.txt', bash('toolu_log', 'git log --all --oneline -5')),
    ], compaction: ok(), fallback: ok() });
    try {
      const viaClaude = await runClaude({ workspace: main, home, baseUrl: mock.url, prompt: 'WT-CLAUDE: write in your worktree', sessionId: sessions.claude, extraEnv: { LOGBOOK_RUN: 'parallel-worktrees' }, extraArgs: ['--worktree', 'wt-claude', '--permission-mode', 'acceptEdits'] });
      if (viaClaude.exitCode !== 0) throw new Error(`claude --worktree failed: ${describeRun(viaClaude)}`);
      const viaGit = await runClaude({ workspace: gitTree, home, baseUrl: mock.url, prompt: 'WT-GIT: write in your worktree', sessionId: sessions.git, extraEnv: { LOGBOOK_RUN: 'parallel-worktrees' }, extraArgs: ['--permission-mode', 'acceptEdits'] });
      if (viaGit.exitCode !== 0) throw new Error(`the git worktree session failed: ${describeRun(viaGit)}`);
    } finally {
      await mock.close();
    }
    logbook(['ingest', '--workspace', main], main);
  });

  after(() => {
    if (!keep) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    if (!keep && main !== '') spawnSync('git', ['worktree', 'prune'], { cwd: main });
  });

  it('both sessions are in the main worktree\'s store, with their worktree and branch; the worktrees have no store of their own', () => {
    const origins = JSON.parse(logbook(['events', '--type', 'LogbookOrigin', '--json', '--workspace', main], main)) as EventJson[];
    const claudeTree = join(main, '.claude', 'worktrees', 'wt-claude');
    const expected = { claude: { worktree: claudeTree, branch: 'worktree-wt-claude' }, git: { worktree: gitTree, branch: 'feature-git' } };
    for (const which of ['claude', 'git'] as const) {
      const origin = origins.find((e) => e.streamId === sessions[which]);
      assert.ok(origin, `the ${which} worktree's session is in the main logbook`);
      assert.equal(origin.data['worktree'], expected[which].worktree);
      assert.equal(origin.data['branch'], expected[which].branch);
      const listed = JSON.parse(logbook(['events', '--session', sessions[which], '--json', '--workspace', main], main)) as EventJson[];
      assert.ok(listed.some((e) => e.type === 'PostToolUse' && e.data['tool_name'] === 'Write'), `the ${which} worktree's Write is recorded`);
      assert.equal(existsSync(join(expected[which].worktree, '.logbook', 'logbook.sqlite')), false);
      const own = join(expected[which].worktree, '.logbook', 'inbox');
      assert.deepEqual(existsSync(own) ? readdirSync(own).filter((f) => !f.startsWith('.')) : [], [], 'nothing waits in the worktree\'s own inbox');
    }
  });

  it('a commit made in one worktree\'s session and seen in the other\'s is a commit hand-off with both events as evidence', () => {
    const hash = git(main, 'rev-parse', '--short=7', 'worktree-wt-claude').trim();
    // Parallel worktree sessions of one orchestrated run: one group, the hand-off between members.
    const links = JSON.parse(logbook(['group', 'parallel-worktrees', '--json', '--workspace', main], main)) as GroupJson;
    assert.deepEqual(new Set(links.group.members.map((m) => m.sessionId)), new Set([sessions.claude, sessions.git]));
    const link = links.group.links.find((l) => l.kind === 'handoff-commit');
    assert.ok(link, `a commit hand-off (links: ${JSON.stringify(links.group.links.map((l) => l.kind))})`);
    assert.equal(link.from, sessions.claude);
    assert.equal(link.to, sessions.git);
    assert.equal(link.exact, false);
    assert.equal(link.subject, hash);
    assert.match(link.evidence[0]?.what ?? '', new RegExp(`committed ${hash}[0-9a-f]* on worktree-wt-claude`));
    assert.match(link.evidence[1]?.what ?? '', new RegExp(`saw commit ${hash}`));
  });
});

describe('sessions that work together: an orchestrator loop with LOGBOOK_RUN forms one run', { timeout: 120_000 }, () => {
  let ws = '';
  let home = '';
  const ids = [randomUUID(), randomUUID()];

  before(async () => {
    ws = makeTempDir('logbook-e2e-run-');
    // The orchestrator names runs in its own variable; LOGBOOK_RUN still counts when that one is unset.
    mkdirSync(join(ws, '.vscode'));
    writeFileSync(join(ws, '.vscode', 'settings.json'), '{ "logbook.groups.runVariable": "ORCH_RUN" }\n');
    logbook(['install-hooks', '--workspace', ws], ws);
    home = prepareClaudeHome(ws);
    const mock = await startMockAnthropic({ scripts: [], compaction: ok(), fallback: ok() });
    try {
      // The orchestrator: a plain loop starting `claude -p` with the run's name in the environment.
      for (const [n, id] of ids.entries()) {
        const extraEnv: Record<string, string> = n === 0 ? { ORCH_RUN: 'nightly-2026-12-05', LOGBOOK_RUN: 'not-this-one' } : { LOGBOOK_RUN: 'nightly-2026-12-05' };
        const run = await runClaude({ workspace: ws, home, baseUrl: mock.url, prompt: 'next item of the loop', sessionId: id, extraEnv, timeoutMs: 60_000 });
        if (run.exitCode !== 0) throw new Error(`loop item failed: ${describeRun(run)}`);
      }
    } finally {
      await mock.close();
    }
    logbook(['ingest', '--workspace', ws], ws);
  });

  after(() => {
    if (!keep) for (const dir of [ws, home]) rmSync(dir, { recursive: true, force: true });
  });

  it('the run is one group of both sessions, with no spawn links between them', () => {
    const groups = JSON.parse(logbook(['groups', '--json', '--workspace', ws], ws)) as Array<{ id: string; kind: string; members: Array<{ sessionId: string; role: string }>; links: number }>;
    assert.equal(groups.length, 1);
    const run = groups[0];
    assert.equal(run?.id, 'run:nightly-2026-12-05');
    assert.equal(run?.kind, 'run');
    assert.deepEqual(new Set(run?.members.map((m) => m.sessionId)), new Set(ids));
    assert.ok(run?.members.every((m) => m.role === 'member'));
    assert.equal(run?.links, 0);
    const text = logbook(['group', 'nightly-2026-12-05', '--workspace', ws], ws);
    assert.match(text, /^group run:nightly-2026-12-05 \(run\)/);
  });
});
