import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ftsQuery, foldText, matchesTokens, searchTokens } from '../../src/projections/event-log';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { migrate } from '../../src/store/schema';

// Finding sessions by what was asked (prompts_fts, schema 7): prompts indexed when the schema
// arrives (the backfill), as the full-text index catches up, and past the index for a reader.

function prompt(database: LogbookDatabase, session: string, text: unknown, id: string): void {
  database.transaction(() => {
    database.store.append(session, [{ eventId: id, type: 'UserPromptSubmit', schemaVersion: 1, data: { session_id: session, prompt: text }, metadata: {} }]);
  });
}

function find(database: LogbookDatabase, text: string): string[] | undefined {
  const tokens = searchTokens(text);
  const found = database.store.sessionsByPrompt(ftsQuery(tokens), (p) => matchesTokens(tokens, foldText(p)));
  return found === undefined ? undefined : [...found].sort();
}

test('sessions are found by a word of any of their prompts: indexed by the catch-up, and past it', async () => {
  const database = await LogbookDatabase.create();
  prompt(database, 'a', 'Refactor the payment gateway', 'a1');
  prompt(database, 'a', 'now add tests', 'a2');
  prompt(database, 'b', 'Fix the login bug in the gateway', 'b1');
  database.transaction(() => database.store.append('c', [{ eventId: 'c1', type: 'PreToolUse', schemaVersion: 1, data: { tool_input: { command: 'echo gateway tests' } }, metadata: {} }]));
  assert.deepEqual(find(database, 'gateway'), ['a', 'b'], 'not yet indexed: matched past the index');
  database.catchUpFullText();
  assert.deepEqual(find(database, 'gateway'), ['a', 'b'], 'indexed: a tool\'s input is no prompt');
  assert.deepEqual(find(database, 'TESTS'), ['a'], 'a later prompt counts, case folded');
  assert.deepEqual(find(database, 'pay'), ['a'], 'a word\'s start matches');
  assert.deepEqual(find(database, 'gateway login'), ['b'], 'every word must match');
  assert.deepEqual(find(database, '" OR NEAR( *'), [], 'query syntax never reaches the index: no words, no match');
  // The query form the report's search uses too: a word's start finds it in the events' index.
  assert.deepEqual(database.store.search(ftsQuery(searchTokens('paym'))).map((e) => e.eventId), ['a1']);
  database.close();
});

test('a store written before schema 7 gets its prompts indexed when the writer migrates it, each once', async () => {
  const database = await LogbookDatabase.create();
  prompt(database, 'old', 'Migrate the billing tables', 'o1');
  prompt(database, 'old', { not: 'a prompt' }, 'o2');
  database.catchUpFullText();
  // As an older writer left it: no prompt index, schema 6.
  database.raw.run('DROP TABLE prompts_fts');
  database.raw.run('DELETE FROM schema_migrations WHERE version = 7');
  assert.equal(find(database, 'billing'), undefined, 'without the index the store says so');
  assert.deepEqual(migrate(database.raw), [7]);
  prompt(database, 'new', 'billing report', 'n1');
  database.catchUpFullText();
  assert.deepEqual(find(database, 'billing'), ['new', 'old']);
  assert.equal(database.raw.exec("SELECT COUNT(*) FROM prompts_fts WHERE body MATCH 'billing'")[0]?.values[0]?.[0], 2, 'each prompt indexed once');
  database.close();
});
