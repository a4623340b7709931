import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from './sqlite-schema.js';
import { startWriter, type Fsync } from './sqlite-writer-client.js';

async function database(): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kts-writer-'));
  const path = join(dir, 'state.db');
  openDatabase(path).close();
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

function rows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('a write is committed to the WAL at once but resolves only once an fsync of the WAL has returned', async () => {
  const { path, remove } = await database();
  const pending: (() => void)[] = [];
  const synced: number[] = [];
  // Holds each fsync until the test releases it.
  const fsync: Fsync = (fd, done) => pending.push(() => (synced.push(fd), done(null)));
  const w = await startWriter(path, { fsync });
  try {
    let resolved = false;
    const write = w.write([{ type: 'create', key: '/a', value: '{}' }]).then((r) => ((resolved = true), r));
    for (let i = 0; i < 50 && pending.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(pending.length, 1, 'the commit asked for an fsync');
    // Committed to the WAL (a reader sees the row) but not acknowledged before the disk has it.
    assert.equal(rows(path), 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(resolved, false);
    pending.shift()!();
    const [result] = await write;
    assert.equal(result!.ok, true);
    assert.equal(synced.length, 1);
  } finally {
    for (const release of pending.splice(0)) release();
    await w.close();
    await remove();
  }
});

test('after a failed fsync no write is acknowledged or even committed', async () => {
  const { path, remove } = await database();
  let fail = false;
  const fsync: Fsync = (_fd, done) => setImmediate(() => done(fail ? Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }) : null));
  const w = await startWriter(path, { fsync });
  try {
    await w.write([{ type: 'create', key: '/a', value: '{}' }]);
    fail = true;
    await assert.rejects(w.write([{ type: 'create', key: '/b', value: '{}' }]), /fsync of the SQLite WAL failed \(EIO: i\/o error, fsync\): no further write is accepted; restart the server/);
    fail = false;
    const before = rows(path);
    await assert.rejects(w.write([{ type: 'create', key: '/c', value: '{}' }]), /no further write is accepted/);
    assert.equal(rows(path), before, 'nothing committed after the failure');
  } finally {
    await w.close();
    await remove();
  }
});
