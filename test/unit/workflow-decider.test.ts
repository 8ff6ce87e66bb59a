import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decide, describeStatus, evolve, foldWorkflow, initialWorkflowState } from '../../src/domain/workflow/decider';
import type { WorkflowEvent } from '../../src/domain/workflow/events';
import { parseWorkflowDefinition } from '../../src/domain/workflow/definition';
import { globMatches } from '../../src/domain/workflow/glob';
import { splitShellCommand } from '../../src/domain/workflow/shell-split';
import type { WorkflowCommand, WorkflowDefinition, WorkflowState } from '../../src/domain/workflow/types';

function template(name: string): WorkflowDefinition {
  const result = parseWorkflowDefinition(readFileSync(join(__dirname, '..', '..', 'templates', name), 'utf8'), name);
  assert.ok(result.ok);
  return result.definition;
}

const TEAM = template('workflow.team-loop.json');
const MINIMAL = template('workflow.minimal.json');
const T0 = '2026-03-01T10:00:00.000Z';
const T1 = '2026-03-01T10:05:00.000Z';

/** given(events).when(command).then(events): the decider read as a specification. */
function spec(definition: WorkflowDefinition) {
  return {
    given: (events: readonly WorkflowEvent[]) => ({
      when: (command: WorkflowCommand) => {
        const produced = decide(command, foldWorkflow(events), definition);
        assert.deepEqual(JSON.parse(JSON.stringify(produced)), produced, 'events survive a JSON round trip');
        return {
          then: (expected: readonly WorkflowEvent[]): void => assert.deepEqual(produced, expected),
          thenNothing: (): void => assert.deepEqual(produced, []),
          produced,
        };
      },
    }),
  };
}

const team = spec(TEAM);

// Builders of given events.
const started = (d: WorkflowDefinition, hash = 'h1'): WorkflowEvent => ({
  type: 'WorkflowStarted',
  data: { definitionHash: hash, name: d.name, definition: d, state: d.initial, iteration: d.iteration.startsAt === d.initial ? 1 : 0, at: T0 },
});
const moved = (from: string, to: string, iteration: number): WorkflowEvent => ({ type: 'WorkflowTransitioned', data: { from, to, reason: 'next', iteration, at: T0 } });
const journaled = (state: string, iteration: number): WorkflowEvent => ({ type: 'JournalEntryWritten', data: { text: 'did it', tags: [], files: [], state, iteration, at: T0 } });
const approved = (state: string): WorkflowEvent => ({ type: 'ReviewApproved', data: { notes: '', state, at: T0 } });

const inPlanning = [started(TEAM)];
const inDeveloping = [...inPlanning, journaled('planning', 0), moved('planning', 'developing', 1)];
const inReviewing = [...inDeveloping, journaled('developing', 1), moved('developing', 'reviewing', 1)];
const inCommitting = [...inReviewing, approved('reviewing'), moved('reviewing', 'committing', 1)];

const go = (to: string, actor?: string): WorkflowCommand => ({ type: 'Transition', to, reason: 'next', at: T1, ...(actor === undefined ? {} : { actor }) });
const tool = (toolName: string, toolInput: unknown = {}): WorkflowCommand => ({ type: 'CheckToolUse', toolName, toolInput, toolUseId: 'toolu_1', at: T1 });
const bash = (command: string): WorkflowCommand => tool('Bash', { command });
const stop = (stopHookActive = false): WorkflowCommand => ({ type: 'CheckStop', stopHookActive, at: T1 });
const journal = (text = 'note'): WorkflowCommand => ({ type: 'WriteJournal', text, at: T1 });
const review = (outcome: 'approved' | 'rejected', notes?: string): WorkflowCommand => ({ type: 'RecordReview', outcome, at: T1, ...(notes === undefined ? {} : { notes }) });

test('StartWorkflow enters the initial state; iteration 1 only when the initial state starts iterations', () => {
  team.given([]).when({ type: 'StartWorkflow', definition: TEAM, definitionHash: 'h1', at: T0 }).then([started(TEAM)]);
  spec(MINIMAL).given([]).when({ type: 'StartWorkflow', definition: MINIMAL, definitionHash: 'h1', at: T0 }).then([started(MINIMAL)]);
  assert.equal(foldWorkflow([started(MINIMAL)]).iteration, 1);
  assert.deepEqual(foldWorkflow(inPlanning), { ...initialWorkflowState, definitionHash: 'h1', current: 'planning', enteredAt: T0 });
});

test('StartWorkflow again: the same definition is a no-op, another one is rejected with a code', () => {
  team.given(inPlanning).when({ type: 'StartWorkflow', definition: TEAM, definitionHash: 'h1', at: T1 }).thenNothing();
  team.given(inPlanning).when({ type: 'StartWorkflow', definition: TEAM, definitionHash: 'h2', at: T1 }).then([{
    type: 'WorkflowCommandRejected',
    data: { command: 'StartWorkflow', code: 'WORKFLOW_ALREADY_STARTED', reason: 'The workflow has already started; a new definition is a ChangeDefinition.', state: 'planning', at: T1 },
  }]);
});

test('ChangeDefinition keeps the state when it still exists, else returns to the new initial state', () => {
  team.given(inDeveloping).when({ type: 'ChangeDefinition', definition: TEAM, definitionHash: 'h1', at: T1 }).thenNothing();
  team.given(inDeveloping).when({ type: 'ChangeDefinition', definition: TEAM, definitionHash: 'h2', at: T1 }).then([{
    type: 'WorkflowDefinitionChanged',
    data: { definitionHash: 'h2', previousHash: 'h1', definition: TEAM, previousState: 'developing', state: 'developing', at: T1 },
  }]);
  const { produced } = team.given(inDeveloping).when({ type: 'ChangeDefinition', definition: MINIMAL, definitionHash: 'h3', at: T1 });
  assert.equal(produced[0]?.type === 'WorkflowDefinitionChanged' && produced[0].data.state, 'working');
  const after = foldWorkflow([...inDeveloping, journaled('developing', 1), ...produced]);
  assert.deepEqual([after.current, after.definitionHash, after.iteration, after.journalThisIteration, after.journalSinceEntered], ['working', 'h3', 1, 1, 0]);
  spec(MINIMAL).given([]).when({ type: 'ChangeDefinition', definition: MINIMAL, definitionHash: 'h1', at: T0 }).then([started(MINIMAL)]);
});

test('a transition the definition allows is taken, with its reason and actor', () => {
  team.given([...inPlanning, journaled('planning', 0)]).when(go('developing', 'agent-7')).then([
    { type: 'WorkflowTransitioned', data: { from: 'planning', to: 'developing', reason: 'next', iteration: 1, at: T1, actor: 'agent-7' } },
  ]);
});

test('a transition with no edge is refused, naming what is allowed now and what is blocked', () => {
  team.given(inPlanning).when(go('committing')).then([{
    type: 'WorkflowTransitionRefused',
    data: {
      from: 'planning', to: 'committing', allowed: [], at: T1,
      problems: ['no transition from "planning" to "committing"'],
      reason: 'Cannot move from "planning" to "committing": no transition from "planning" to "committing". No transition from "planning" is allowed now. '
        + 'Blocked: developing (journalSinceEntered: write a journal entry in state "planning" first).',
    },
  }]);
  const { produced } = team.given([...inReviewing, approved('reviewing')]).when(go('respawning'));
  assert.ok(produced[0]?.type === 'WorkflowTransitionRefused');
  assert.deepEqual(produced[0].data.allowed, ['developing', 'committing']);
  assert.match(produced[0].data.reason, /Allowed from "reviewing" now: developing, committing\.$/);
});

test('a transition to a state that does not exist is refused', () => {
  const { produced } = team.given(inPlanning).when(go('shipping'));
  assert.ok(produced[0]?.type === 'WorkflowTransitionRefused');
  assert.deepEqual(produced[0].data.problems, ['there is no state "shipping"']);
});

test('guard journalSinceEntered: refused until a journal entry is written in the current state', () => {
  const { produced } = team.given(inDeveloping).when(go('reviewing'));
  assert.ok(produced[0]?.type === 'WorkflowTransitionRefused');
  assert.deepEqual(produced[0].data.problems, ['journalSinceEntered: write a journal entry in state "developing" first']);
  // The entry written in planning does not count for developing.
  team.given([...inDeveloping, journaled('developing', 1)]).when(go('reviewing')).then([moved('developing', 'reviewing', 1)].map(withAt));
});

test('guard reviewApproved: a rejected or missing review refuses, an approved one passes', () => {
  const { produced } = team.given(inReviewing).when(go('committing'));
  assert.ok(produced[0]?.type === 'WorkflowTransitionRefused');
  assert.deepEqual(produced[0].data.problems, ['reviewApproved: the review in state "reviewing" must be approved first']);
  assert.deepEqual(produced[0].data.allowed, ['developing']);
  team.given([...inReviewing, approved('reviewing')]).when(go('committing')).then([moved('reviewing', 'committing', 1)].map(withAt));
});

test('from "*" leaves any state but a final one; a final state cannot be left', () => {
  const d: WorkflowDefinition = { ...MINIMAL, states: { ...MINIMAL.states, paused: {} }, transitions: [...MINIMAL.transitions, { from: '*', to: 'paused' }, { from: 'paused', to: 'working' }] };
  spec(d).given([started(d)]).when(go('paused')).then([moved('working', 'paused', 1)].map(withAt));
  const done = [started(d), journaled('working', 1), moved('working', 'done', 1)];
  spec(d).given(done).when(go('paused')).then([{
    type: 'WorkflowTransitionRefused',
    data: { from: 'done', to: 'paused', allowed: [], at: T1, problems: ['state "done" is final: it cannot be left'], reason: 'Cannot move from "done" to "paused": state "done" is final: it cannot be left. No transition from "done" is allowed now.' },
  }]);
  assert.equal(foldWorkflow([...done, ...spec(d).given(done).when(go('paused')).produced]).refusals, 1);
});

test('entering iteration.startsAt starts a new iteration and resets the journal count of the iteration', () => {
  const s = foldWorkflow([...inCommitting, moved('committing', 'respawning', 1), journaled('respawning', 1), moved('respawning', 'planning', 1), journaled('planning', 1)]);
  assert.deepEqual([s.iteration, s.journalThisIteration], [1, 3]);
  team.given([...inCommitting, moved('committing', 'respawning', 1), journaled('respawning', 1), moved('respawning', 'planning', 1), journaled('planning', 1)])
    .when(go('developing')).then([moved('planning', 'developing', 2)].map(withAt));
  const next = evolve(s, moved('planning', 'developing', 2));
  assert.deepEqual([next.iteration, next.journalThisIteration, next.journalSinceEntered, next.transitions], [2, 0, 0, s.transitions + 1]);
});

test('commands before the workflow starts are rejected; hook checks pass', () => {
  for (const command of [go('developing'), journal(), review('approved')]) {
    const { produced } = team.given([]).when(command);
    assert.ok(produced[0]?.type === 'WorkflowCommandRejected');
    assert.equal(produced[0].data.code, 'WORKFLOW_NOT_STARTED');
  }
  team.given([]).when(tool('Edit')).thenNothing();
  team.given([]).when(stop()).thenNothing();
});

test('WriteJournal records the entry with its state and iteration; empty text is rejected', () => {
  team.given(inDeveloping).when({ type: 'WriteJournal', text: 'Added the parser', tags: ['parser'], files: [{ path: 'src/p.ts', line: 3 }, { path: 'README.md' }], at: T1, actor: 'dev' }).then([{
    type: 'JournalEntryWritten',
    data: { text: 'Added the parser', tags: ['parser'], files: [{ path: 'src/p.ts', line: 3 }, { path: 'README.md' }], state: 'developing', iteration: 1, at: T1, actor: 'dev' },
  }]);
  team.given(inDeveloping).when(journal()).then([{ type: 'JournalEntryWritten', data: { text: 'note', tags: [], files: [], state: 'developing', iteration: 1, at: T1 } }]);
  const { produced } = team.given(inDeveloping).when(journal('  \n'));
  assert.ok(produced[0]?.type === 'WorkflowCommandRejected');
  assert.equal(produced[0].data.code, 'JOURNAL_TEXT_EMPTY');
  const s = foldWorkflow([...inDeveloping, journaled('developing', 1), journaled('developing', 1)]);
  assert.deepEqual([s.journalSinceEntered, s.journalThisIteration], [2, 2]);
});

test('RecordReview approved in the review state: ReviewApproved, and the workflow stays', () => {
  team.given(inReviewing).when(review('approved', 'clean')).then([{ type: 'ReviewApproved', data: { notes: 'clean', state: 'reviewing', at: T1 } }]);
  assert.equal(foldWorkflow([...inReviewing, approved('reviewing')]).reviewSinceEntered, 'approved');
});

test('RecordReview rejected: ReviewRejected, then back to onRejected, which starts a new iteration there', () => {
  team.given(inReviewing).when(review('rejected', 'no tests')).then([
    { type: 'ReviewRejected', data: { notes: 'no tests', state: 'reviewing', backTo: 'developing', at: T1 } },
    { type: 'WorkflowTransitioned', data: { from: 'reviewing', to: 'developing', reason: 'review rejected: no tests', iteration: 2, at: T1 } },
  ]);
});

test('RecordReview outside the review state, or without a review step, is rejected with a code', () => {
  const { produced } = team.given(inDeveloping).when(review('approved'));
  assert.deepEqual(produced, [{
    type: 'WorkflowCommandRejected',
    data: { command: 'RecordReview', code: 'REVIEW_WRONG_STATE', reason: 'A review can only be recorded in state "reviewing"; the workflow is in "developing".', state: 'developing', at: T1 },
  }]);
  const none = spec(MINIMAL).given([started(MINIMAL)]).when(review('rejected')).produced;
  assert.ok(none[0]?.type === 'WorkflowCommandRejected');
  assert.equal(none[0].data.code, 'REVIEW_NOT_CONFIGURED');
});

test('an approval does not outlive its state', () => {
  const s = foldWorkflow([...inReviewing, approved('reviewing'), moved('reviewing', 'developing', 2), journaled('developing', 2), moved('developing', 'reviewing', 2)]);
  assert.equal(s.reviewSinceEntered, null);
});

test('a denied tool names the state, the rule and the way forward (the hook sends it verbatim)', () => {
  team.given(inReviewing).when(tool('Edit')).then([{
    type: 'HookDenied',
    data: {
      toolName: 'Edit', toolUseId: 'toolu_1', state: 'reviewing', rule: 'states.reviewing.tools.deny "Edit"', at: T1,
      reason: 'Tool Edit is not allowed in state "reviewing" (rule: states.reviewing.tools.deny "Edit"). Record the review (approved or rejected) or transition to one of: developing, committing.',
    },
  }]);
  const { produced } = team.given(inPlanning).when(tool('Write'));
  assert.ok(produced[0]?.type === 'HookDenied');
  assert.equal(produced[0].data.reason, 'Tool Write is not allowed in state "planning" (rule: states.planning.tools.deny "Write"). To use it, transition to one of: developing.');
  assert.equal(foldWorkflow([...inPlanning, ...produced]).denials, 1);
});

test('tools without rules in the state run; no events when allowed', () => {
  team.given(inDeveloping).when(tool('Edit')).thenNothing();
  team.given(inReviewing).when(tool('Read')).thenNothing();
});

const ruled: WorkflowDefinition = {
  version: 1, name: 'rules', initial: 'a', transitions: [{ from: 'a', to: 'b' }], iteration: { startsAt: 'a' },
  states: {
    a: { tools: { allow: ['Read', 'mcp__*', 'Bash'], deny: ['mcp__github__*'], bash: { allow: ['npm test*', 'ls*'] } } },
    b: { tools: { allow: ['*'], deny: ['*Edit', 'Write', 'mcp__*'] } },
  },
};
const inA = [started(ruled)];
const inB = [started(ruled), moved('a', 'b', 1)];
const deniedBy = (events: readonly WorkflowEvent[], command: WorkflowCommand): string | null => {
  const [event] = spec(ruled).given(events).when(command).produced;
  return event?.type === 'HookDenied' ? event.data.rule : null;
};

test('the deny list wins over the allow list', () => {
  assert.equal(deniedBy(inB, tool('MultiEdit')), 'states.b.tools.deny "*Edit"');
  assert.equal(deniedBy(inB, tool('Write')), 'states.b.tools.deny "Write"');
  assert.equal(deniedBy(inB, tool('Grep')), null);
  assert.equal(deniedBy(inA, tool('mcp__github__create_pr')), 'states.a.tools.deny "mcp__github__*"');
});

test('an allow list lets only matching tools through', () => {
  assert.equal(deniedBy(inA, tool('Read')), null);
  assert.equal(deniedBy(inA, tool('mcp__files__read')), null);
  assert.equal(deniedBy(inA, tool('Edit')), 'states.a.tools.allow (Edit matches none of "Read", "mcp__*", "Bash")');
});

test('the logbook MCP tools are always allowed, whatever the rules say', () => {
  assert.equal(deniedBy(inB, tool('mcp__logbook__transition')), null);
  assert.equal(deniedBy(inB, tool('mcp__logbook__journal_write')), null);
  assert.equal(deniedBy(inB, tool('mcp__logbookx__t')), 'states.b.tools.deny "mcp__*"');
  team.given(inReviewing).when(tool('mcp__logbook__review_record')).thenNothing();
});

test('bash globs apply to every command of the command line; deny wins', () => {
  assert.equal(deniedBy(inA, bash('npm test -- --grep x')), null);
  assert.equal(deniedBy(inA, bash('ls -la && npm test')), null);
  assert.equal(deniedBy(inA, bash('rm -rf dist')), 'states.a.tools.bash.allow (matches none of "npm test*", "ls*")');
  assert.equal(deniedBy(inA, bash('npm test && rm -rf dist')), 'states.a.tools.bash.allow (matches none of "npm test*", "ls*")');
  const committing = (command: string): string | null => {
    const [event] = team.given(inCommitting).when(bash(command)).produced;
    return event?.type === 'HookDenied' ? event.data.reason : null;
  };
  assert.equal(committing('git status'), null);
  assert.equal(committing('git add -A && git commit -m "x; y && z"'), null);
  assert.equal(committing('git commit -m "$(cat <<\'EOF\'\nFix the parser\n\nIt\'s done; really\nEOF\n)"'), null);
  assert.equal(committing('git log --oneline 2>&1'), null);
  assert.equal(committing('git push --force origin main'),
    'Bash command "git push --force origin main" is not allowed in state "committing" (rule: states.committing.tools.bash.deny "git push --force*"). To use it, transition to one of: respawning.');
  assert.match(committing('git add . && git push --force-with-lease') ?? '', /rule: states\.committing\.tools\.bash\.deny "git push --force\*"/);
  assert.match(committing('npm publish') ?? '', /^Bash command "npm publish" is not allowed in state "committing" \(rule: states\.committing\.tools\.bash\.allow \(matches none of "git \*"\)\)/);
  assert.match(committing('git status | grep x') ?? '', /Bash command "grep x"/);
  // Other tools are not touched by bash rules.
  team.given(inCommitting).when(tool('Read')).thenNothing();
});

test('shell command lines split on operators, not inside quotes, substitutions or heredocs', () => {
  assert.deepEqual(splitShellCommand('a && b || c; d | e & f\ng'), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  assert.deepEqual(splitShellCommand('echo "a && b" \'c; d\' x\\;y'), ['echo "a && b" \'c; d\' x\\;y']);
  assert.deepEqual(splitShellCommand('echo $(a && b) `c; d` >out 2>&1 &>all'), ['echo $(a && b) `c; d` >out 2>&1 &>all']);
  assert.deepEqual(splitShellCommand('cat <<EOF > f\nrm -rf /; x\nEOF\nls'), ['cat <<EOF > f', 'ls']);
  assert.deepEqual(splitShellCommand('cat <<-"END"\n\tbody\n\tEND\n(cd x && make)'), ['cat <<-"END"', 'cd x', 'make']);
  assert.deepEqual(splitShellCommand('  '), []);
});

test('globs: `*` matches any run of characters, everything else is literal, the whole string must match', () => {
  assert.ok(globMatches('mcp__*', 'mcp__x__y'));
  assert.ok(globMatches('git *', 'git push origin/main --tags'));
  assert.ok(!globMatches('git *', 'git'));
  assert.ok(!globMatches('a.b', 'axb'));
  assert.ok(globMatches('a.(b)+', 'a.(b)+'));
  assert.ok(!globMatches('Edit', 'MultiEdit'));
  assert.ok(globMatches('*', ''));
});

test('Stop is blocked until the iteration has its journal entries', () => {
  const given = [...inDeveloping];
  team.given(given).when(stop()).then([{
    type: 'StopBlocked',
    data: {
      state: 'developing', at: T1,
      reason: 'Before stopping, write a journal entry: iteration 1 has 0 of the 1 required (state "developing"). Say what was done, found or decided, with the logbook MCP tool journal_write or `logbook journal --text "<text>"`.',
    },
  }]);
  team.given([...given, journaled('developing', 1)]).when(stop()).thenNothing();
  assert.equal(foldWorkflow([...given, ...team.given(given).when(stop()).produced]).stopBlocks, 1);
});

test('Stop is never blocked when stop_hook_active is set, so Claude cannot be trapped', () => {
  team.given(inDeveloping).when(stop(true)).thenNothing();
});

test('Stop is not blocked before the first iteration, when not enforced, or without journal rules', () => {
  team.given(inPlanning).when(stop()).thenNothing();
  const lax: WorkflowDefinition = { ...TEAM, journal: { minEntriesPerIteration: 1, enforceOnStop: false } };
  spec(lax).given(inDeveloping).when(stop()).thenNothing();
  const none: WorkflowDefinition = { ...TEAM, journal: undefined };
  spec(none).given(inDeveloping).when(stop()).thenNothing();
  const two: WorkflowDefinition = { ...TEAM, journal: { minEntriesPerIteration: 2, enforceOnStop: true } };
  assert.equal(spec(two).given([...inDeveloping, journaled('developing', 1)]).when(stop()).produced[0]?.type, 'StopBlocked');
});

test('describeStatus: instructions, every way out with its unmet guards, tool rules, journal needed', () => {
  const status = describeStatus(foldWorkflow(inReviewing), TEAM);
  assert.equal(status.state, 'reviewing');
  assert.equal(status.instructions, TEAM.states['reviewing']?.instructions);
  assert.deepEqual(status.allowedTransitions, [
    { to: 'developing', guardsMet: true, missing: [] },
    { to: 'committing', guardsMet: false, missing: ['reviewApproved: the review in state "reviewing" must be approved first'] },
  ]);
  assert.deepEqual(status.toolRules, TEAM.states['reviewing']?.tools);
  assert.equal(status.journalNeeded, 0);
  assert.equal(status.reviewExpected, true);
  assert.equal(describeStatus(foldWorkflow(inDeveloping), TEAM).journalNeeded, 1);
  assert.deepEqual(describeStatus(initialWorkflowState, TEAM).allowedTransitions, []);
});

test('evolve is total: an unknown event leaves the state unchanged', () => {
  const s = foldWorkflow(inReviewing);
  assert.equal(evolve(s, { type: 'SomethingNew', data: {} } as unknown as WorkflowEvent), s);
});

/** Runs commands through decide and evolve, as the application service will. */
function drive(definition: WorkflowDefinition, commands: readonly WorkflowCommand[]): { events: WorkflowEvent[]; state: WorkflowState } {
  const events: WorkflowEvent[] = [];
  let state = initialWorkflowState;
  for (const command of commands) {
    const produced = decide(command, state, definition);
    events.push(...produced);
    state = foldWorkflow(produced, state);
  }
  return { events, state };
}

test('team loop: a full iteration with a rejection, tool checks and a blocked stop, then the next one', () => {
  const { events, state } = drive(TEAM, [
    { type: 'StartWorkflow', definition: TEAM, definitionHash: 'h1', at: T0 },
    tool('Edit'), go('developing'), journal('plan: add parser'), go('developing'),
    tool('Edit'), stop(), stop(true), go('reviewing'), journal('parser added'), go('reviewing'),
    tool('Edit'), review('rejected', 'no tests'),
    journal('tests added'), go('reviewing'), review('approved'), go('committing'),
    bash('git add -A && git commit -m "parser"'), bash('git push --force'), go('respawning'),
    journal('hand-over'), go('planning'), stop(), journal('next plan'), go('developing'),
  ]);
  assert.deepEqual(events.map((e) => e.type), [
    'WorkflowStarted', 'HookDenied', 'WorkflowTransitionRefused', 'JournalEntryWritten', 'WorkflowTransitioned',
    'StopBlocked', 'WorkflowTransitionRefused', 'JournalEntryWritten', 'WorkflowTransitioned',
    'HookDenied', 'ReviewRejected', 'WorkflowTransitioned',
    'JournalEntryWritten', 'WorkflowTransitioned', 'ReviewApproved', 'WorkflowTransitioned',
    'HookDenied', 'WorkflowTransitioned',
    'JournalEntryWritten', 'WorkflowTransitioned', 'JournalEntryWritten', 'WorkflowTransitioned',
  ]);
  assert.deepEqual(state, {
    definitionHash: 'h1', current: 'developing', enteredAt: T1, iteration: 3, journalSinceEntered: 0, journalThisIteration: 0,
    reviewSinceEntered: null, transitions: 8, refusals: 2, denials: 3, stopBlocks: 1,
  });
  assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
});

test('minimal template: work, journal, done; done is final and the journal rule holds on Stop', () => {
  const { events, state } = drive(MINIMAL, [
    { type: 'StartWorkflow', definition: MINIMAL, definitionHash: 'm1', at: T0 },
    tool('Bash', { command: 'rm -rf /tmp/x' }), stop(), go('done'), journal('did the task'), stop(), go('done'), go('working'), stop(),
  ]);
  assert.deepEqual(events.map((e) => e.type), [
    'WorkflowStarted', 'StopBlocked', 'WorkflowTransitionRefused', 'JournalEntryWritten', 'WorkflowTransitioned', 'WorkflowTransitionRefused',
  ]);
  assert.deepEqual([state.current, state.iteration, state.refusals, state.stopBlocks], ['done', 1, 2, 1]);
});

function withAt(event: WorkflowEvent): WorkflowEvent {
  return { ...event, data: { ...event.data, at: T1 } } as WorkflowEvent;
}
