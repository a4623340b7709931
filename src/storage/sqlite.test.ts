// Runs the shared conformance suite against the SQLite backend, plus what only SQLite has:
// persistence across reopen, kill -9 durability, bounded growth under churn, group commit, speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { recordWatch, runBackendConformance } from './backend.case.js';
import { CompactedError, ConflictError, KeyExistsError, StorageError, type Backend } from './backend.js';
import { openSqliteBackend, type SqliteBackendOptions } from './sqlite.js';

async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kts-sqlite-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Opens a backend in a fresh directory; `done` closes it and deletes the directory. */
async function fresh(opts: SqliteBackendOptions = { compactIntervalMs: 0 }): Promise<{ b: Backend; dir: string; done: () => Promise<void> }> {
  const { dir, remove } = await tempDir();
  const b = await openSqliteBackend(dir, opts);
  return { b, dir, done: async () => (await b.close(), await remove()) };
}

/** Reads the raw log table (the backend must be closed: it holds an exclusive lock). */
function rowCount(dir: string): number {
  const db = new Database(join(dir, 'state.db'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

runBackendConformance('sqlite', async () => {
  const { b, done } = await fresh();
  return { backend: b, cleanup: done };
});

test('sqlite: reopening keeps data, the revision counter and the compacted revision', async () => {
  const { dir, remove } = await tempDir();
  try {
    let b = await openSqliteBackend(dir, { compactIntervalMs: 0 });
    const a = await b.create('/a', 'one');
    const a2 = await b.update('/a', 'two', a.modRevision);
    await b.create('/b', 'bee');
    const last = await b.delete('/b'); // the newest row is a tombstone that compaction removes
    await b.compact(last.modRevision);
    await b.close();

    b = await openSqliteBackend(dir, { compactIntervalMs: 0 });
    assert.equal(await b.currentRevision(), last.modRevision, 'the counter survives even when its row was compacted away');
    assert.equal(await b.compactRevision(), last.modRevision);
    assert.equal((await b.get('/a')).kv?.value, 'two');
    assert.equal((await b.get('/b')).kv, undefined);
    const c = await b.create('/c', 'sea');
    assert.equal(c.modRevision, last.modRevision + 1);
    const a3 = await b.update('/a', 'three', a2.modRevision);
    await b.close();

    // After a restart the in-memory ring is empty: a watch from before it replays the log table.
    b = await openSqliteBackend(dir, { compactIntervalMs: 0 });
    const rec = recordWatch(b, '/', last.modRevision);
    const events = (await rec.until(2)).map((e) => JSON.parse(JSON.stringify(e)) as unknown);
    assert.deepEqual(events, [
      { type: 'put', kv: { ...c }, created: true },
      { type: 'put', kv: { ...a3 }, prevKv: { ...a2 } },
    ]);
    await rec.stop();
    await assert.rejects(b.watch('/', last.modRevision - 1, () => {}, new AbortController().signal), CompactedError);
    await b.close();
  } finally {
    await remove();
  }
});

test('sqlite: a second open of a data directory in use is refused', async () => {
  const { b, dir, done } = await fresh();
  try {
    await b.create('/a', '1');
    await assert.rejects(openSqliteBackend(dir, { compactIntervalMs: 0 }), (err: unknown) => err instanceof StorageError && /locked/.test(err.message));
  } finally {
    await done();
  }
});

test('sqlite: every acknowledged write survives kill -9', async () => {
  const { dir, remove } = await tempDir();
  try {
    const script = fileURLToPath(new URL('./testdata/writer.ts', import.meta.url));
    // Without NODE_TEST_CONTEXT, which would make the child report to the test runner instead.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Kill mid-stream, while writes are still in flight.
        if (out.split('\n').length > 2000) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      void exited.then(() => resolve());
    });
    assert.equal(await exited, 'SIGKILL', `writer died on its own: ${err}`);
    clearTimeout(watchdog);
    const acknowledged = out.split('\n').slice(0, -1); // the last piece may be a partial line
    assert.ok(acknowledged.length >= 2000, `only ${acknowledged.length} writes acknowledged`);

    const b = await openSqliteBackend(dir, { compactIntervalMs: 0 });
    try {
      const stored = new Map((await b.list('/durability/')).kvs.map((kv) => [kv.key, kv.value]));
      const lost = acknowledged.filter((key) => stored.get(key) !== `value of ${key}`);
      assert.deepEqual(lost, [], 'acknowledged writes missing after kill -9');
      assert.equal(await b.currentRevision(), 1 + stored.size, 'the revision counter matches the committed writes');
      const next = await b.create('/after-crash', 'x');
      assert.equal(next.modRevision, 2 + stored.size);
    } finally {
      await b.close();
    }
  } finally {
    await remove();
  }
});

test('sqlite: compaction bounds the log under churn of one key', async () => {
  const { b, dir, done } = await fresh();
  try {
    let kv = await b.create('/lease', '0');
    for (let i = 1; i <= 3000; i++) kv = await b.update('/lease', String(i), kv.modRevision);
    await b.create('/other', 'x');
    await b.compact(kv.modRevision);
    await b.close();
    assert.equal(rowCount(dir), 2, 'only the current value of each key remains');
  } finally {
    await done();
  }
});

test('sqlite: background compaction keeps the newest revisions and bounds the file', async () => {
  const { b, dir, done } = await fresh({ compactIntervalMs: 20, keepRevisions: 100 });
  try {
    const big = 'x'.repeat(8192);
    let kv = await b.create('/lease', big);
    for (let i = 1; i <= 1500; i++) kv = await b.update('/lease', `${i}${big}`, kv.modRevision);
    const deadline = Date.now() + 10_000;
    while ((await b.compactRevision()) < kv.modRevision - 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await b.compactRevision(), kv.modRevision - 100);
    assert.equal((await b.get('/lease', kv.modRevision - 100)).kv?.value.startsWith(`${1500 - 100}x`), true, 'the kept window stays readable');
    await b.close();
    const rows = rowCount(dir);
    assert.ok(rows <= 101 + 1, `log holds ${rows} rows`);
    // 12 MB were written; what remains is about 100 revisions of 8 KB.
    const size = (await stat(join(dir, 'state.db'))).size;
    assert.ok(size < 4 * 1024 * 1024, `file holds ${size} bytes`);
  } finally {
    await done();
  }
});

test('sqlite: compaction hands freed space back to the filesystem', async () => {
  const { dir, remove } = await tempDir();
  try {
    let b = await openSqliteBackend(dir, { compactIntervalMs: 0 });
    const big = 'x'.repeat(8192);
    let kv = await b.create('/lease', big);
    for (let i = 1; i <= 1000; i++) kv = await b.update('/lease', `${i}${big}`, kv.modRevision);
    await b.close();
    const before = (await stat(join(dir, 'state.db'))).size;
    b = await openSqliteBackend(dir, { compactIntervalMs: 0 });
    await b.compact(kv.modRevision);
    await b.close();
    const after = (await stat(join(dir, 'state.db'))).size;
    assert.ok(before > 8 * 1024 * 1024 && after < before / 10, `file went from ${before} to ${after} bytes`);
  } finally {
    await remove();
  }
});

test('sqlite: writes of one tick commit as one group', async () => {
  const { b, done } = await fresh();
  try {
    const rec = recordWatch(b, '/g/', 0);
    const kvs = await Promise.all(Array.from({ length: 500 }, (_, i) => b.create(`/g/${i}`, 'v')));
    await rec.until(500);
    assert.equal(rec.batches, 1, 'one transaction publishes one batch');
    assert.equal(new Set(kvs.map((kv) => kv.modRevision)).size, 500);
    await rec.stop();
  } finally {
    await done();
  }
});

test('sqlite: checks in the writer see earlier writes of the same group and of the group in flight', async () => {
  const { b, done } = await fresh();
  try {
    // Same group: the second create of /k and the stale update are refused inside the transaction.
    const [first, second] = await Promise.allSettled([b.create('/k', '1'), b.create('/k', '2')]);
    assert.equal(first.status === 'fulfilled' && first.value.value, '1');
    assert.ok(second.status === 'rejected' && second.reason instanceof KeyExistsError);
    // Next group submitted while this one is in flight: it must see the update before it.
    const k = first.status === 'fulfilled' ? first.value : assert.fail();
    const inFlight = b.update('/k', 'u1', k.modRevision);
    await new Promise((resolve) => setImmediate(resolve)); // the group above has been posted
    const stale = b.update('/k', 'u2', k.modRevision);
    const updated = await inFlight;
    await assert.rejects(stale, (err: unknown) => err instanceof ConflictError && err.current?.modRevision === updated.modRevision);
    assert.equal(updated.modRevision, k.modRevision + 1, 'a refused write takes no revision');
    assert.equal((await b.get('/k')).kv?.value, 'u1');
    assert.equal(await b.currentRevision(), updated.modRevision);
  } finally {
    await done();
  }
});

test('sqlite: listing 10,000 keys is fast', async () => {
  const { b, done } = await fresh();
  try {
    const value = JSON.stringify({ kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { pad: 'x'.repeat(600) } });
    await Promise.all(Array.from({ length: 10_000 }, (_, i) => b.create(`/registry/pods/default/p-${String(i).padStart(5, '0')}`, value)));
    await b.list('/registry/pods/'); // warm the page cache
    const started = performance.now();
    const res = await b.list('/registry/pods/');
    const ms = performance.now() - started;
    assert.equal(res.kvs.length, 10_000);
    assert.ok(ms < 200, `list took ${ms.toFixed(1)} ms`);
  } finally {
    await done();
  }
});

test('sqlite: aborting the signal closes the backend', async () => {
  const { dir, remove } = await tempDir();
  try {
    const ac = new AbortController();
    const b = await openSqliteBackend(dir, { signal: ac.signal });
    const pending = b.create('/a', '1');
    const watching = b.watch('/', 0, () => {}, new AbortController().signal);
    ac.abort();
    assert.equal((await pending).value, '1', 'a write submitted before close is committed');
    await watching;
    await assert.rejects(b.get('/a'), StorageError);
    const again = await openSqliteBackend(dir, { compactIntervalMs: 0 });
    assert.equal((await again.get('/a')).kv?.value, '1');
    await again.close();
  } finally {
    await remove();
  }
});
