import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseWorkflowDefinition, renderWorkflowJsonSchema, workflowDefinitionHash, WorkflowDefinitionError, WORKFLOW_FILE,
} from '../../src/domain/workflow/definition';
import type { WorkflowDefinition } from '../../src/domain/workflow/types';

const root = join(__dirname, '..', '..');
const FILE = WORKFLOW_FILE;

function valid(text: string): WorkflowDefinition {
  const result = parseWorkflowDefinition(text, FILE);
  assert.ok(result.ok, `expected a valid definition, got: ${result.ok ? '' : result.problems.join('\n')}`);
  return result.definition;
}

function problems(text: string): readonly string[] {
  const result = parseWorkflowDefinition(text, FILE);
  assert.ok(!result.ok, 'expected problems');
  return result.problems;
}

const small = {
  version: 1,
  name: 'small',
  initial: 'a',
  states: { a: {}, b: { final: true } },
  transitions: [{ from: 'a', to: 'b' }],
  iteration: { startsAt: 'a' },
};

test('both templates are valid workflow definitions', () => {
  for (const name of ['workflow.minimal.json', 'workflow.team-loop.json']) {
    const text = readFileSync(join(root, 'templates', name), 'utf8');
    const result = parseWorkflowDefinition(text, `templates/${name}`);
    assert.ok(result.ok, `${name}: ${result.ok ? '' : result.problems.join('\n')}`);
  }
});

test('the team-loop template has the seed loop and its rules', () => {
  const d = valid(readFileSync(join(root, 'templates', 'workflow.team-loop.json'), 'utf8'));
  assert.equal(d.initial, 'planning');
  assert.equal(d.iteration.startsAt, 'developing');
  assert.deepEqual(d.review, { state: 'reviewing', onRejected: 'developing' });
  assert.deepEqual(d.journal, { minEntriesPerIteration: 1, enforceOnStop: true });
  assert.deepEqual(d.states['reviewing']?.tools?.deny, ['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
  assert.deepEqual(d.states['committing']?.tools?.bash?.allow, ['git *']);
  assert.ok(d.states['committing']?.tools?.bash?.deny?.includes('git push --force*'));
  assert.ok(d.states['planning']?.tools?.deny?.includes('Write') && d.states['planning'].tools.deny.includes('Edit'));
  const edges = d.transitions.map((t) => `${t.from}>${t.to}`);
  for (const e of ['planning>developing', 'developing>reviewing', 'reviewing>developing', 'reviewing>committing', 'committing>respawning', 'respawning>planning']) {
    assert.ok(edges.includes(e), e);
  }
});

test('journal defaults apply: one entry per iteration, enforced on Stop', () => {
  const d = valid(JSON.stringify({ ...small, journal: {} }));
  assert.deepEqual(d.journal, { minEntriesPerIteration: 1, enforceOnStop: true });
  assert.equal(valid(JSON.stringify(small)).journal, undefined);
});

test('a "$schema" key is allowed', () => {
  const d = valid(JSON.stringify({ $schema: './workflow.schema.json', ...small }));
  assert.equal(d.$schema, './workflow.schema.json');
});

test('every problem is reported at once, each with the file and its JSON path', () => {
  const text = JSON.stringify({
    version: 1,
    name: '',
    initial: 'nowhere',
    states: {
      working: { tools: { deny: [5], bash: { allow: 'git *' } }, colour: 'red' },
      done: { final: true },
      'in review': {},
    },
    transitions: [
      { from: 'working', to: 'ghost' },
      { from: 'done', to: 'working' },
      { from: 'working', to: 'done', guards: ['bogus'] },
      { from: 'working', to: 'done' },
    ],
    iteration: { startsAt: 'missing' },
    journal: { minEntriesPerIteration: -1 },
    review: { state: 'done', onRejected: 'nope' },
    transition: [],
  }, null, 2);
  const got = problems(text);
  const expected = [
    `${FILE}: name: Too small: expected string to have >=1 characters`,
    `${FILE}: states.working.tools.deny[0]: expected string, received number`,
    `${FILE}: states.working.tools.bash.allow: expected array, received string`,
    `${FILE}: states.working: Unrecognized key: "colour"`,
    `${FILE}: transitions[2].guards[0]: Invalid option: expected one of "journalSinceEntered"|"reviewApproved"`,
    `${FILE}: journal.minEntriesPerIteration: Too small: expected number to be >=0`,
    `${FILE}: Unrecognized key: "transition"`,
    `${FILE}: initial: no state named "nowhere" (states: working, done, in review)`,
    `${FILE}: iteration.startsAt: no state named "missing" (states: working, done, in review)`,
    `${FILE}: review.onRejected: no state named "nope" (states: working, done, in review)`,
    `${FILE}: review.state: state "done" is final: a rejected review could not leave it`,
    `${FILE}: transitions[0].to: no state named "ghost" (states: working, done, in review)`,
    `${FILE}: transitions[1].from: state "done" is final: no transition may leave it`,
    `${FILE}: transitions[3]: repeats transitions[2] (working → done); merge their guards into one`,
  ];
  assert.deepEqual([...got].sort(), [...expected].sort());
});

test('keys that are not identifiers are quoted in paths; "*" and empty state names are refused', () => {
  const got = problems(JSON.stringify({ ...small, states: { ...small.states, '*': {}, '': {}, 'in review': { final: 'yes' } } }));
  assert.deepEqual([...got].sort(), [
    `${FILE}: states["*"]: "*" is reserved for "any state" in transitions`,
    `${FILE}: states[""]: a state name must not be empty`,
    `${FILE}: states["in review"].final: expected boolean, received string`,
  ].sort());
});

test('"from": "*" needs no state of that name, but "to": "*" does', () => {
  valid(JSON.stringify({ ...small, transitions: [{ from: '*', to: 'b' }] }));
  assert.deepEqual(problems(JSON.stringify({ ...small, transitions: [{ from: 'a', to: '*' }] })), [
    `${FILE}: transitions[0].to: no state named "*" (states: a, b)`,
  ]);
});

test('a wrong root, a wrong version and missing fields are named', () => {
  assert.deepEqual(problems('[]'), [`${FILE}: expected object, received array`]);
  const got = problems(JSON.stringify({ version: 2, name: 'x', states: {} }));
  assert.deepEqual([...got].sort(), [
    `${FILE}: version: expected 1`,
    `${FILE}: initial: expected string, received undefined`,
    `${FILE}: transitions: expected array, received undefined`,
    `${FILE}: iteration: expected object, received undefined`,
  ].sort());
});

test('a JSON syntax error is reported once with its line and column', () => {
  const text = '{\n  "version": 1,\n  "name": "x"\n  "initial": "a"\n}\n';
  assert.deepEqual(problems(text), [`${FILE}:4:3: invalid JSON (CommaExpected)`]);
});

test('the file is strict JSON: comments and trailing commas are syntax errors', () => {
  assert.deepEqual(problems('{\n  // a comment\n  "version": 1\n}'), [`${FILE}:2:3: invalid JSON (InvalidCommentToken)`]);
  assert.deepEqual(problems('{\n  "version": 1,\n}'), [`${FILE}:3:1: invalid JSON (PropertyNameExpected)`]);
  assert.deepEqual(problems(''), [`${FILE}:1:1: invalid JSON (ValueExpected)`]);
});

test('a byte order mark does not make a valid file invalid', () => {
  valid(`\uFEFF${JSON.stringify(small)}`);
});

test('the definition hash ignores formatting, key order and $schema, and follows content', () => {
  const a = valid(JSON.stringify(small));
  const b = valid(JSON.stringify({ iteration: small.iteration, transitions: small.transitions, states: small.states, initial: 'a', name: 'small', version: 1, $schema: 'x' }, null, 4));
  assert.equal(workflowDefinitionHash(a), workflowDefinitionHash(b));
  assert.match(workflowDefinitionHash(a), /^[0-9a-f]{64}$/);
  assert.notEqual(workflowDefinitionHash(a), workflowDefinitionHash(valid(JSON.stringify({ ...small, name: 'other' }))));
});

test('WorkflowDefinitionError carries a stable code and every problem', () => {
  const error = new WorkflowDefinitionError(['p1', 'p2']);
  assert.equal(error.code, 'WORKFLOW_INVALID');
  assert.deepEqual(error.problems, ['p1', 'p2']);
  assert.equal(error.message, 'p1\np2');
});

test('media/workflow.schema.json is exactly what the generator produces', () => {
  const committed = readFileSync(join(root, 'media', 'workflow.schema.json'), 'utf8');
  assert.equal(committed, renderWorkflowJsonSchema(), 'run: node --import tsx scripts/gen-workflow-schema.ts');
  const schema = JSON.parse(committed) as { properties: Record<string, unknown>; additionalProperties: unknown; required: string[] };
  assert.ok('$schema' in schema.properties, 'users may write "$schema"');
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ['version', 'name', 'initial', 'states', 'transitions', 'iteration']);
});

test('the decider and tool rules load without zod (the hook bundle imports them)', () => {
  const script = "require('./src/domain/workflow/decider'); require('./src/domain/workflow/tool-rules'); require('./src/domain/workflow/events');"
    + 'process.stdout.write(JSON.stringify(Object.keys(require.cache)))';
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const loaded = (JSON.parse(run.stdout) as string[]).filter((f) => !f.includes('node_modules/tsx') && !f.includes('node_modules/esbuild'));
  assert.ok(loaded.length >= 3, 'the modules were loaded');
  assert.deepEqual(loaded.filter((f) => f.includes('node_modules') || f.endsWith('definition.ts')), []);
});
