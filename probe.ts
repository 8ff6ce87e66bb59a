import { openPageFile } from './src/store/pagefile/page-file';
(async () => {
  const f = await openPageFile('/tmp/pagestore-probe.sqlite');
  f.db.run('CREATE TABLE IF NOT EXISTS t (x TEXT)');
  f.db.run('BEGIN'); for (let i = 0; i < 100; i++) f.db.run('INSERT INTO t VALUES (?)', ['x'.repeat(1700)]); f.db.run('COMMIT');
  console.log(f.db.exec('select count(*) from t, pragma_page_size')[0].values, f.vfs.counters);
  f.db.close();
  const r = await openPageFile('/tmp/pagestore-probe.sqlite', { readonly: true });
  console.log(r.db.exec('select count(*) from t')[0].values, r.vfs.counters);
  try { r.db.run('INSERT INTO t VALUES (1)'); } catch (e) { console.log('ro:', (e as Error).message); }
  r.db.close();
})();
