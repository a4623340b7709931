// Tests the prefix bound and the read-revision guard that both backends rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompactedError, FutureRevisionError } from './backend.js';
import { prefixEnd, rangeStart, readRevision } from './key-range.js';

test('prefixEnd is the least string above every key with the prefix', () => {
  assert.equal(prefixEnd('/registry/pods/'), '/registry/pods0');
  assert.equal(prefixEnd('a'), 'b');
  assert.equal(prefixEnd(''), undefined);
  assert.equal(prefixEnd('a\u{10FFFF}'), 'b', 'the highest code point carries into the previous one');
  assert.equal(prefixEnd('\u{10FFFF}'), undefined);
  assert.equal(prefixEnd('a\uD7FF'), 'a\uE000', 'the surrogate block is skipped');
  const end = prefixEnd('/a/')!;
  for (const key of ['/a/', '/a/b', '/a/\u{10FFFF}', '/a/~~~']) assert.ok(key < end, key);
  for (const key of ['/a0', '/b', '/a0/']) assert.ok(key >= end, key);
});

test('rangeStart starts at the later of prefix and start key', () => {
  assert.equal(rangeStart('/p/', undefined), '/p/');
  assert.equal(rangeStart('/p/', '/p/k3\0'), '/p/k3\0');
  assert.equal(rangeStart('/p/', '/a'), '/p/');
});

test('readRevision validates a read revision against the current and compacted ones', () => {
  assert.equal(readRevision(undefined, 10, 4), 10);
  assert.equal(readRevision(0, 10, 4), 10);
  assert.equal(readRevision(4, 10, 4), 4, 'the compacted revision itself is readable');
  assert.equal(readRevision(10, 10, 4), 10);
  assert.throws(() => readRevision(3, 10, 4), (err: unknown) => err instanceof CompactedError && err.requested === 3 && err.compacted === 4);
  assert.throws(() => readRevision(11, 10, 4), (err: unknown) => err instanceof FutureRevisionError && err.current === 10);
});
