// Writes etcd's snapshot stream (Maintenance.Snapshot) to a file and checks it, as etcdctl does:
// the stream is the member's bbolt database followed by 32 bytes, the SHA-256 of that database.
// The file keeps those 32 bytes (etcdctl's `snapshot restore` checks them again: a file whose
// size is 32 past a multiple of 512 carries its hash). The first chunk's remaining_bytes says how
// large the database is; a stream that ends short, long or with another hash is refused.
// The file is written under a temporary name, flushed and only then linked to `target`, so a
// file with that name is always a whole, checked snapshot.
import { createHash, randomBytes } from 'node:crypto';
import { link, open, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StorageError } from './backend.js';
import { syncDir } from '../util/fs.js';

export const SNAPSHOT_HASH_SIZE = 32;

export interface SnapshotChunk {
  remainingBytes: number;
  blob: Buffer;
}

/** Hashes a stream's bytes except its last 32, which it keeps to compare at the end. */
export class TrailingHashCheck {
  private readonly hash = createHash('sha256');
  private tail = Buffer.alloc(0);
  /** Bytes hashed so far (the database's size once the stream ended). */
  hashed = 0;

  update(chunk: Buffer): void {
    const all = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    const cut = Math.max(0, all.length - SNAPSHOT_HASH_SIZE);
    if (cut) this.hash.update(all.subarray(0, cut));
    this.hashed += cut;
    this.tail = Buffer.from(all.subarray(cut));
  }

  /** The database's SHA-256 (hex) when the stream ended with it; throws otherwise. */
  finish(): string {
    if (this.tail.length < SNAPSHOT_HASH_SIZE) throw new StorageError(`the snapshot stream is too short (${this.hashed + this.tail.length} bytes) to end with a SHA-256`);
    const digest = this.hash.digest();
    if (!digest.equals(this.tail)) throw new StorageError(`the snapshot's SHA-256 does not match: etcd sent ${this.tail.toString('hex')}, the data hashes to ${digest.toString('hex')}`);
    return digest.toString('hex');
  }
}

export interface ReceivedSnapshot {
  path: string;
  /** The file's size: the database and its 32-byte hash. */
  bytes: number;
  /** The database's size (what etcd announced). */
  dbBytes: number;
  sha256: string;
}

/** Writes the stream to `target` (which must not exist) once it has been received whole and checked. */
export async function receiveSnapshot(chunks: AsyncIterable<SnapshotChunk>, target: string): Promise<ReceivedSnapshot> {
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  const check = new TrailingHashCheck();
  let announced: number | undefined;
  let bytes = 0;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      for await (const c of chunks) {
        // etcd counts the database only: the first chunk plus what remains after it.
        announced ??= c.blob.length + c.remainingBytes;
        check.update(c.blob);
        await fh.write(c.blob);
        bytes += c.blob.length;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    const sha256 = check.finish();
    if (announced !== check.hashed) throw new StorageError(`the snapshot stream ended after ${check.hashed} bytes of the database; etcd announced ${announced ?? 0}`);
    if (check.hashed % 512 !== 0) throw new StorageError(`the snapshot's database is ${check.hashed} bytes, not whole 512-byte pages`);
    // link, unlike rename, never replaces a file that appeared at `target` meanwhile.
    try {
      await link(tmp, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new StorageError(`${target} exists; not overwriting it`);
      throw e;
    }
    await syncDir(dir);
    return { path: target, bytes, dbBytes: check.hashed, sha256 };
  } finally {
    await rm(tmp, { force: true });
  }
}
