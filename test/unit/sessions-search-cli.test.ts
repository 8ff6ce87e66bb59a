import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logbookPaths } from '../../src/capture/paths';
import { tempDir } from './helpers';
import { putAt, recordSession, runCli as run } from './recorded-sessions';

// `logbook sessions --search WORDS`: sessions found by a word of any prompt (the prompt index),
// not only of their title; every word required; query syntax refused as no word.

function ids(out: string): string[] {
  return (JSON.parse(out) as { sessionId: string }[]).map((s) => s.sessionId).sort();
}

test('logbook sessions --search finds sessions by a later prompt, a title word or a word\'s start, all words required', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    recordSession(inbox, 'billing-1', 'Fix the invoice rounding', { day: 0 });
    recordSession(inbox, 'login-1', 'Fix the login redirect', { day: 1 });
    recordSession(inbox, 'other-1', 'Write the changelog', { day: 2 });
    // A later prompt of login-1: not its title.
    putAt(inbox, { session_id: 'login-1', hook_event_name: 'UserPromptSubmit', prompt: 'also check the invoice emails' }, new Date(2026, 10, 2, 13).getTime());
    assert.equal((await run(['ingest', '--workspace', dir])).code, 0);
    const search = async (words: string): Promise<string[]> => {
      const listed = await run(['sessions', '--search', words, '--json', '--workspace', dir]);
      assert.equal(listed.code, 0, listed.err);
      return ids(listed.out);
    };
    assert.deepEqual(await search('invoice'), ['billing-1', 'login-1'], 'a title and a later prompt');
    assert.deepEqual(await search('INVOI'), ['billing-1', 'login-1'], 'a word\'s start, case folded');
    assert.deepEqual(await search('invoice emails'), ['login-1'], 'every word');
    assert.deepEqual(await search('changelog'), ['other-1']);
    assert.deepEqual(await search('nothing-like-this'), []);
    const refused = await run(['sessions', '--search', '"* (', '--workspace', dir]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /--search needs a word/);
  } finally {
    cleanup();
  }
});
