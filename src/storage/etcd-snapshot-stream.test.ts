// The snapshot stream check: etcd's trailing SHA-256 verified across any chunking, the announced
// size enforced, nothing left under the target name when the check fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiveSnapshot, TrailingHashCheck, type SnapshotChunk } from './etcd-snapshot-stream.js';

/** A stream as etcd sends it: the database in chunks of `size`, then its SHA-256. */
function stream(db: Buffer, size: number, hash = createHash('sha256').update(db).digest()): SnapshotChunk[] {
  const out: SnapshotChunk[] = [];
  for (let i = 0; i < db.length; i += size) out.push({ blob: db.subarray(i, i + size), remainingBytes: db.length - Math.min(i + size, db.length) });
  out.push({ blob: hash, remainingBytes: 0 });
  return out;
}
async function* gen(chunks: SnapshotChunk[]) {
  yield* chunks;
}
const db = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 251));

test('TrailingHashCheck: accepts the hash however the stream is cut, refuses another', () => {
  for (const size of [1, 5, 31, 32, 33, 512, 10_000]) {
    const c = new TrailingHashCheck();
    const all = Buffer.concat([db, createHash('sha256').update(db).digest()]);
    for (let i = 0; i < all.length; i += size) c.update(all.subarray(i, i + size));
    assert.equal(c.finish(), createHash('sha256').update(db).digest('hex'));
    assert.equal(c.hashed, db.length);
  }
  const bad = new TrailingHashCheck();
  bad.update(Buffer.concat([db, Buffer.alloc(32)]));
  assert.throws(() => bad.finish(), /SHA-256 does not match/);
  const short = new TrailingHashCheck();
  short.update(Buffer.alloc(10));
  assert.throws(() => short.finish(), /too short/);
});

test('receiveSnapshot: writes the checked stream, hash kept; refuses corrupt, short and existing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kts-snap-'));
  try {
    const r = await receiveSnapshot(gen(stream(db, 1000)), join(dir, 'ok'));
    assert.equal(r.bytes, db.length + 32);
    assert.equal(r.dbBytes, db.length);
    assert.deepEqual(readFileSync(join(dir, 'ok')), Buffer.concat([db, createHash('sha256').update(db).digest()]));
    // etcdctl recognises a hash-carrying file by its size: 32 past a multiple of 512.
    assert.equal(r.bytes % 512, 32);

    const corrupt = stream(db, 1000);
    corrupt[1] = { ...corrupt[1]!, blob: Buffer.alloc(1000, 1) };
    await assert.rejects(receiveSnapshot(gen(corrupt), join(dir, 'corrupt')), /SHA-256 does not match/);
    const short = stream(db, 1000);
    short[0] = { ...short[0]!, remainingBytes: short[0]!.remainingBytes + 512 };
    await assert.rejects(receiveSnapshot(gen(short), join(dir, 'short')), /etcd announced 4608/);
    await assert.rejects(receiveSnapshot(gen(stream(db, 1000)), join(dir, 'ok')), /exists; not overwriting/);
    const failing = (async function* () {
      yield stream(db, 1000)[0]!;
      throw new Error('connection reset');
    })();
    await assert.rejects(receiveSnapshot(failing, join(dir, 'cut')), /connection reset/);
    assert.deepEqual(readdirSync(dir), ['ok']);
    assert.equal(existsSync(join(dir, 'corrupt')), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
