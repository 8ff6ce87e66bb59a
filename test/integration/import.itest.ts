// Logbook: Import Earlier Sessions inside a real VS Code: the transcripts of a session that ran
// before the hooks (the fixture's, put where Claude Code keeps this workspace's transcripts) are
// read under a progress notification and recorded through the window's writer, marked imported.
// (The test window's smoke-test driver keeps notifications off screen: the progress and the final
// message are not seen here, only what the command records.)
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { logbookPaths } from '../../src/capture/paths';
import { projectTranscriptsDir } from '../../src/ingest/import/claude-projects';
import { LogbookDatabase } from '../../src/store/logbook-database';
import type { RecordedEvent } from '../../src/store/event-store';
import { itestContext, suite, test } from './harness';

/** The session of the fixture transcripts (test/fixtures/ccusage-home): not the one the hooks recorded here. */
const EARLIER_SESSION = '4b1ffb86-03bc-4881-8ec2-3bc2cf43ffba';

async function storedStream(workspace: string, sessionId: string): Promise<RecordedEvent[]> {
  const opened = await LogbookDatabase.open(logbookPaths(workspace).store);
  if (!opened.ok) return [];
  try {
    return opened.database.store.readStream(sessionId);
  } finally {
    opened.database.close();
  }
}

suite('import earlier sessions', () => {
  test('the command records a session from its transcripts through the window\'s writer, every event marked imported', async () => {
    const { workspace, repoRoot } = itestContext();
    const transcripts = projectTranscriptsDir(realpathSync(workspace));
    mkdirSync(transcripts, { recursive: true });
    const fixture = join(repoRoot, 'test', 'fixtures', 'ccusage-home', 'projects', '-home-dev-full-session');
    cpSync(fixture, transcripts, { recursive: true });
    assert.deepEqual(await storedStream(workspace, EARLIER_SESSION), [], 'not recorded before the import');
    // Not awaited: the command ends on a notification that waits for a click.
    void vscode.commands.executeCommand('logbook.importEarlierSessions');
    let events: RecordedEvent[] = [];
    for (let waited = 0; waited < 60_000; waited += 250) {
      events = await storedStream(workspace, EARLIER_SESSION);
      if (events.some((e) => e.type === 'SessionEnd')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const hooks = events.filter((e) => e.type !== 'UsageRecorded');
    assert.equal(hooks.length, 40, `the 40 hook events the transcripts stand for (got ${hooks.length})`);
    assert.ok(hooks.every((e) => e.metadata['source'] === 'import' && e.metadata['imported'] === true), 'each marked imported');
    assert.ok(events.some((e) => e.type === 'UsageRecorded'), 'and the usage the writer read from the same transcripts');
  }, { timeoutMs: 90_000 });
});
