import { join } from 'node:path';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { sqlJsFromModule } from '../../src/store/sqljs';
import { loadSqlJsWarmedInWorker } from '../../src/store/sqljs-warm/warm-client';

// One process per case: sql.js is loaded once per thread. Prints what the loader said and whether
// the store then works.
const [mode] = process.argv.slice(2);
const sources: Record<string, string | undefined> = {
  normal: undefined,
  throws: join(__dirname, '..', 'fixtures', 'workers', 'throws-on-load.ts'),
  silent: join(__dirname, '..', 'fixtures', 'workers', 'never-answers.ts'),
};
void (async () => {
  const outcome = await loadSqlJsWarmedInWorker({ workerSource: sources[mode ?? 'normal'], timeoutMs: mode === 'silent' ? 1500 : 30_000 });
  const database = await LogbookDatabase.create();
  database.store.append('s', [{ eventId: 'e1', type: 'UserPromptSubmit', schemaVersion: 1, data: { prompt: 'warm words' }, metadata: { source: 'test' } }]);
  const found = database.store.search('words').length;
  database.close();
  process.stdout.write(JSON.stringify({ ...outcome, fromModule: sqlJsFromModule(), found }));
})();
