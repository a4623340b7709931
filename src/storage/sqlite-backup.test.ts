// Copies and restores of the SQLite datastore: a copy taken while another process writes is a
// consistent snapshot; a restore installs a copy with its counter raised above every revision the
// replaced database used and everything below compacted; it refuses a running server's directory
// and files that are not sound kts datastores, and then changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, open, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { recordWatch } from './backend.case.js';
import { CompactedError, StorageError, type KeyValue } from './backend.js';
import { openSqliteBackend } from './sqlite.js';
import { backupSqlite } from './sqlite-backup.js';
import { DatastoreInUseError, restoreSqlite } from './sqlite-restore.js';
import { InvalidSnapshotError, inspectSnapshot } from './sqlite-snapshot.js';

async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kts-sqlite-backup-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const AT = new Date('2030-01-02T03:04:05.678Z');

/** Every file of a directory with a hash of its content: "nothing changed" is this staying equal. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = createHash('sha256').update(readFileSync(join(dir, name))).digest('hex');
  return out;
}

test('sqlite backup: a copy taken while another process writes is a consistent snapshot, and the writes go on', async () => {
  const { dir, remove } = await tempDir();
  const db = join(dir, 'db');
  const script = fileURLToPath(new URL('./testdata/writer.ts', import.meta.url));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));
  const child = spawn(process.execPath, ['--import', 'tsx', script, db], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const acked = () => out.split('\n').slice(0, -1);
  const waitAcked = async (n: number) => {
    const deadline = Date.now() + 30_000;
    while (acked().length < n) {
      assert.equal(child.exitCode, null, `the writer exited: ${err}`);
      assert.ok(Date.now() < deadline, `only ${acked().length} writes acknowledged`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  try {
    await waitAcked(1000);
    const before = acked();
    const target = join(dir, 'copies', 'copy.db');
    const r = await backupSqlite(join(db, 'state.db'), target);
    assert.equal(r.path, target);
    assert.ok(r.revision >= 1 + before.length, `copy at revision ${r.revision}, ${before.length} writes acknowledged before it began`);
    assert.equal(r.keys, r.revision - 1, 'every create took one revision: the copy holds exactly the writes up to its revision');
    assert.equal((await stat(target)).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(dir, 'copies')), ['copy.db'], 'no temporary file is left');

    const copy = new Database(target, { readonly: true });
    try {
      const rows = copy.prepare<[], { id: number; name: string; value: string }>('SELECT id, name, value FROM kv ORDER BY id').all();
      assert.deepEqual(
        rows.map((row) => row.id),
        Array.from({ length: r.revision - 1 }, (_, i) => i + 2),
        'revisions 2..R, none missing',
      );
      for (const row of rows) assert.equal(row.value, `value of ${row.name}`);
      const names = new Set(rows.map((row) => row.name));
      assert.deepEqual(
        before.filter((k) => !names.has(k)),
        [],
        'every write acknowledged before the backup began is in the copy',
      );
    } finally {
      copy.close();
    }
    // The writer was never locked out: it goes on, past the copy's revision.
    await waitAcked(r.revision - 1 + 500);
  } finally {
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    await remove();
  }
});

test('sqlite backup: refuses a directory without a datastore and an existing target; keeps the counter of a compacted store', async () => {
  const { dir, remove } = await tempDir();
  try {
    await assert.rejects(backupSqlite(join(dir, 'none', 'state.db'), join(dir, 'x.db')), (e: unknown) => e instanceof StorageError && /no SQLite datastore/.test(e.message));
    const b = await openSqliteBackend(join(dir, 'db'), { compactIntervalMs: 0 });
    await b.create('/k', 'v');
    const last = await b.delete('/k'); // the newest row is a tombstone that compaction removes
    await b.compact(last.modRevision);
    await b.close(); // a stopped server: copied from the file alone
    const r = await backupSqlite(join(dir, 'db', 'state.db'), join(dir, 'x.db'));
    assert.equal(r.revision, last.modRevision, 'the copy keeps the counter, not just the newest row');
    assert.equal(r.compactRevision, last.modRevision);
    assert.equal(r.keys, 0);
    await assert.rejects(backupSqlite(join(dir, 'db', 'state.db'), join(dir, 'x.db')), (e: unknown) => e instanceof StorageError && /exists/.test(e.message));
  } finally {
    await remove();
  }
});

test('sqlite restore: installs the copy, raises the counter above the replaced history and compacts everything below it', async () => {
  const { dir, remove } = await tempDir();
  const db = join(dir, 'db');
  try {
    let b = await openSqliteBackend(db, { compactIntervalMs: 0 });
    const a1 = await b.create('/r/a', '1');
    const a2 = await b.update('/r/a', '2', a1.modRevision);
    const bee = await b.create('/r/b', 'bee');
    await b.create('/r/gone', 'g');
    await b.delete('/r/gone');
    await b.compact(a2.modRevision); // the copy has compacted history and history still to compact
    const a3 = await b.update('/r/a', '3', a2.modRevision);
    const copy = (await backupSqlite(join(db, 'state.db'), join(dir, 'copy.db'))).path;
    const restoredRevision = await b.currentRevision();
    // Written after the copy: a restore takes the store back before these.
    await b.update('/r/a', '4', a3.modRevision);
    await b.delete('/r/b');
    await b.create('/r/new', 'n');
    const oldMax = await b.currentRevision();
    await b.close();

    const r = await restoreSqlite(db, copy, { now: AT });
    assert.equal(r.source.revision, restoredRevision);
    assert.equal(r.source.keys, 2);
    assert.equal(r.revision, oldMax + 1000);
    assert.deepEqual(r.previous, { path: join(db, 'state.db.before-restore-20300102T030405Z'), revision: oldMax });
    assert.deepEqual(readdirSync(db).sort(), ['state.db', 'state.db.before-restore-20300102T030405Z', 'state.lock']);

    const rows = new Database(join(db, 'state.db'), { readonly: true });
    try {
      assert.deepEqual(rows.prepare('SELECT id, name FROM kv ORDER BY id').all(), [
        { id: bee.modRevision, name: '/r/b' },
        { id: a3.modRevision, name: '/r/a' },
      ], 'history up to the copy\'s revision is compacted away');
    } finally {
      rows.close();
    }

    b = await openSqliteBackend(db, { compactIntervalMs: 0 });
    try {
      assert.equal(await b.currentRevision(), r.revision);
      assert.equal(await b.compactRevision(), r.revision);
      assert.deepEqual({ ...(await b.get('/r/a')).kv }, { ...a3 });
      assert.equal((await b.get('/r/b')).kv?.value, 'bee');
      assert.equal((await b.get('/r/new')).kv, undefined);
      assert.equal((await b.get('/r/gone')).kv, undefined);
      assert.deepEqual(
        (await b.list('/r/')).kvs.map((kv) => kv.key),
        ['/r/a', '/r/b'],
      );
      // Whatever resourceVersion a client kept from before the restore is gone: 410, relist.
      for (const old of [restoredRevision, oldMax, r.revision - 1]) {
        await assert.rejects(b.get('/r/a', old), CompactedError);
        await assert.rejects(b.list('/r/', { revision: old }), CompactedError);
        await assert.rejects(b.watch('/r/', old, () => {}, new AbortController().signal), CompactedError);
      }
      // From the restored revision on, all works; new writes come after every old revision.
      const rec = recordWatch(b, '/r/', r.revision);
      const c = await b.create('/r/c', 'c');
      assert.equal(c.modRevision, r.revision + 1);
      const [event] = await rec.until(1);
      assert.equal((event?.kv as KeyValue | undefined)?.modRevision, r.revision + 1);
      await rec.stop();
    } finally {
      await b.close();
    }

    const kept = new Database(r.previous!.path, { readonly: true });
    try {
      assert.equal(kept.prepare("SELECT value FROM kv WHERE name = '/r/new'").get() !== undefined, true, 'the replaced database is kept whole');
      assert.equal((kept.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kv'").get() as { seq: number }).seq, oldMax);
    } finally {
      kept.close();
    }
  } finally {
    await remove();
  }
});

test('sqlite restore: into a directory without a datastore, the counter goes past the copy by the bump', async () => {
  const { dir, remove } = await tempDir();
  try {
    const b = await openSqliteBackend(join(dir, 'src'), { compactIntervalMs: 0 });
    await b.create('/k', 'v');
    await b.close();
    const copy = (await backupSqlite(join(dir, 'src', 'state.db'), join(dir, 'copy.db'))).path;
    const r = await restoreSqlite(join(dir, 'fresh', 'db'), copy, { bumpRevision: 5 });
    assert.equal(r.revision, 2 + 5);
    assert.equal(r.previous, undefined);
    const again = await openSqliteBackend(join(dir, 'fresh', 'db'), { compactIntervalMs: 0 });
    assert.equal((await again.get('/k')).kv?.value, 'v');
    assert.equal((await again.create('/l', 'w')).modRevision, 8);
    await again.close();
    // Two restores in the same second keep both replaced databases.
    const first = await restoreSqlite(join(dir, 'fresh', 'db'), copy, { now: AT });
    const second = await restoreSqlite(join(dir, 'fresh', 'db'), copy, { now: AT });
    assert.equal(first.previous?.revision, 8);
    assert.equal(second.previous?.revision, 8 + 1000);
    assert.equal(second.previous?.path, `${first.previous?.path}.1`);
  } finally {
    await remove();
  }
});

test('sqlite restore: refused while a server holds the directory, and nothing changes', async () => {
  const { dir, remove } = await tempDir();
  const db = join(dir, 'db');
  try {
    const b = await openSqliteBackend(db, { compactIntervalMs: 0 });
    await b.create('/k', 'v');
    const copy = (await backupSqlite(join(db, 'state.db'), join(dir, 'copy.db'))).path;
    await b.update('/k', 'w', 2);
    const files = readdirSync(db).sort();
    await assert.rejects(restoreSqlite(db, copy), (e: unknown) => e instanceof DatastoreInUseError && /stop the kts server/.test(e.message));
    assert.deepEqual(readdirSync(db).sort(), files);
    assert.equal((await b.get('/k')).kv?.value, 'w', 'the running store goes on');
    assert.equal((await b.create('/l', 'x')).modRevision, 4);
    await b.close();
  } finally {
    await remove();
  }
});

test('sqlite restore: a file that is not a sound kts datastore is refused, and nothing changes', async () => {
  const { dir, remove } = await tempDir();
  const db = join(dir, 'db');
  try {
    const b = await openSqliteBackend(db, { compactIntervalMs: 0 });
    for (let i = 0; i < 200; i++) await b.create(`/registry/configmaps/default/c-${i}`, JSON.stringify({ data: 'x'.repeat(400 + i) }));
    await b.close();
    const good = (await backupSqlite(join(db, 'state.db'), join(dir, 'good.db'))).path;
    const pageSize = 4096;
    assert.ok((await stat(good)).size > 20 * pageSize);

    const garbage = join(dir, 'garbage.db');
    await writeFile(garbage, 'this is not a database, just text that is long enough to have a header\n'.repeat(100));
    const other = join(dir, 'other.db');
    const o = new Database(other);
    o.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES (1)');
    o.close();
    const damaged = join(dir, 'damaged.db');
    await copyFile(good, damaged);
    const fh = await open(damaged, 'r+');
    await fh.write(Buffer.alloc(pageSize, 0xa5), 0, pageSize, 10 * pageSize); // a page of the log table
    await fh.close();
    const truncated = join(dir, 'truncated.db');
    await copyFile(good, truncated);
    await truncate(truncated, 8 * pageSize);

    const before = fingerprint(db);
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.db'), /no such file/],
      [garbage, /not a SQLite database/],
      [other, /not a kts SQLite datastore \(it has no "kv" table\)/],
      [damaged, /damaged/],
      [truncated, /damaged/],
      [join(db, 'state.db'), /is the datastore itself/],
    ];
    for (const [file, message] of cases) {
      await assert.rejects(restoreSqlite(db, file), (e: unknown) => e instanceof StorageError && message.test(e.message), file);
      assert.deepEqual(fingerprint(db), before, `nothing changed after refusing ${file}`);
    }
    assert.ok(!existsSync(`${damaged}-wal`), 'checking a file leaves nothing beside it');
    assert.equal((await inspectSnapshot(good)).keys, 200);
    await assert.rejects(inspectSnapshot(damaged), InvalidSnapshotError);
  } finally {
    await remove();
  }
});
