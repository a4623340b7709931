// The highest revision an etcd database file (a member's member/snap/db, or a snapshot) holds,
// read without etcd: kts needs it to restore a snapshot safely (server/etcd/cluster-reset.ts)
// and etcd 3.4 has no `--bump-revision`.
//
// The file is a bbolt database; etcd's "key" bucket is keyed by revision: 8 bytes big-endian
// main revision, '_', 8 bytes sub revision (and a 't' for a deletion). Rather than walk bbolt's
// B+tree, every leaf page is scanned for keys of that shape: pages bbolt has freed hold only
// older revisions, so the maximum is the database's revision — or, at worst (pages of a
// transaction that never committed), above it, which is the safe side for what kts uses it for.
import { open } from 'node:fs/promises';
import { StorageError } from './backend.js';

const MAGIC = 0xed0cdaed;
const LEAF = 0x02;
const PAGE_HEADER = 16;
const LEAF_ELEMENT = 16;

/** The highest main revision among the revision keys of a bbolt file's leaf pages (0 when none). */
export function maxRevisionInDb(db: Buffer): number {
  if (db.length < 4096 || db.readUInt32LE(PAGE_HEADER) !== MAGIC) throw new StorageError('not an etcd database (no bbolt meta page)');
  const pageSize = db.readUInt32LE(PAGE_HEADER + 8);
  if (pageSize < 512 || pageSize > 1 << 20 || pageSize & (pageSize - 1)) throw new StorageError(`not an etcd database (page size ${pageSize})`);
  let max = 0;
  for (let off = 0; off + PAGE_HEADER <= db.length; ) {
    const flags = db.readUInt16LE(off + 8);
    const count = db.readUInt16LE(off + 10);
    const overflow = db.readUInt32LE(off + 12);
    const span = (overflow + 1) * pageSize;
    const end = Math.min(db.length, off + span);
    if (flags === LEAF) {
      for (let i = 0; i < count; i++) {
        const el = off + PAGE_HEADER + i * LEAF_ELEMENT;
        if (el + LEAF_ELEMENT > end) break;
        const elFlags = db.readUInt32LE(el);
        const ksize = db.readUInt32LE(el + 8);
        const key = el + db.readUInt32LE(el + 4);
        if (elFlags !== 0 || (ksize !== 17 && ksize !== 18) || key + ksize > end || db[key + 8] !== 0x5f) continue;
        if (ksize === 18 && db[key + 17] !== 0x74) continue;
        const main = db.readBigUInt64BE(key);
        if (main <= BigInt(Number.MAX_SAFE_INTEGER) && Number(main) > max) max = Number(main);
      }
    }
    // A page with a torn header must not stop the scan: move on by at least one page.
    off += overflow > 0 && off + span <= db.length ? span : pageSize;
  }
  return max;
}

/** maxRevisionInDb of a file (a snapshot's trailing hash does no harm: it is shorter than a page). */
export async function maxRevisionInDbFile(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    return maxRevisionInDb(await fh.readFile());
  } finally {
    await fh.close();
  }
}
