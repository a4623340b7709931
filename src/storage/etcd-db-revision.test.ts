// The revision scan of an etcd database file: revision keys on leaf pages (puts and deletions)
// count, other keys and non-leaf pages do not, and a file that is not bbolt is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxRevisionInDb } from './etcd-db-revision.js';

const PAGE = 4096;
function revKey(main: number, sub: number, tomb = false): Buffer {
  const k = Buffer.alloc(tomb ? 18 : 17);
  k.writeBigUInt64BE(BigInt(main), 0);
  k[8] = 0x5f;
  k.writeBigUInt64BE(BigInt(sub), 9);
  if (tomb) k[17] = 0x74;
  return k;
}
/** A leaf (flags 0x02) or branch (0x01) page holding `keys`, laid out as bbolt does. */
function page(id: number, flags: number, keys: Buffer[]): Buffer {
  const p = Buffer.alloc(PAGE);
  p.writeBigUInt64LE(BigInt(id), 0);
  p.writeUInt16LE(flags, 8);
  p.writeUInt16LE(keys.length, 10);
  let data = 16 + keys.length * 16;
  keys.forEach((k, i) => {
    const el = 16 + i * 16;
    p.writeUInt32LE(data - el, el + 4);
    p.writeUInt32LE(k.length, el + 8);
    p.writeUInt32LE(1, el + 12);
    k.copy(p, data);
    data += k.length + 1;
  });
  return p;
}
function meta(): Buffer {
  const p = Buffer.alloc(PAGE);
  p.writeUInt16LE(0x04, 8);
  p.writeUInt32LE(0xed0cdaed, 16);
  p.writeUInt32LE(2, 20);
  p.writeUInt32LE(PAGE, 24);
  return p;
}

test('maxRevisionInDb: the highest revision key on any leaf page', () => {
  const db = Buffer.concat([
    meta(),
    meta(),
    page(2, 0x02, [revKey(5, 0), revKey(41, 2), Buffer.from('consistent_index'), Buffer.from('finishedCompactRev')]),
    page(3, 0x02, [revKey(42, 0, true), revKey(7, 1)]),
    page(4, 0x01, [revKey(9999, 0)]), // a branch page: its keys repeat leaves' (and are not counted)
  ]);
  assert.equal(maxRevisionInDb(db), 42);
  assert.equal(maxRevisionInDb(Buffer.concat([meta(), meta()])), 0);
  assert.throws(() => maxRevisionInDb(Buffer.alloc(PAGE * 2)), /not an etcd database/);
});
