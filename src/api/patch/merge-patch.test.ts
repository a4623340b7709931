import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { applyMergePatch } from './merge-patch.js';

// Cases from RFC 7386 appendix A.
const rfc: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

test('RFC 7386 examples', () => {
  for (const [doc, patch, want] of rfc) assert.deepEqual(applyMergePatch(doc, patch), want, JSON.stringify([doc, patch]));
});

test('nested merge keeps untouched fields and deletes with null', () => {
  const doc = { metadata: { name: 'x', labels: { a: '1', b: '2' } }, spec: { replicas: 1, paused: true } };
  const out = applyMergePatch(doc, { metadata: { labels: { a: null, c: '3' } }, spec: { replicas: 2 } });
  assert.deepEqual(out, { metadata: { name: 'x', labels: { b: '2', c: '3' } }, spec: { replicas: 2, paused: true } });
});

test('lists are replaced whole', () => {
  const doc = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b' }] } };
  assert.deepEqual(applyMergePatch(doc, { spec: { containers: [{ name: 'a', image: 'y' }] } }), { spec: { containers: [{ name: 'a', image: 'y' }] } });
});

test('null or scalar patch is 400 Invalid JSON Patch', () => {
  for (const p of [null, 5, 'x', true]) {
    assert.throws(() => applyMergePatch({ a: 1 }, p), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'Invalid JSON Patch');
  }
});

test('inputs are not changed and results do not alias the patch', () => {
  const doc = { a: { b: 1 }, list: [1] };
  const patch = { a: { c: { d: 1 } }, n: { m: 1 } };
  const before = JSON.stringify([doc, patch]);
  const out = applyMergePatch(doc, patch) as { a: { c: { d: number } }; n: { m: number } };
  out.a.c.d = 2;
  out.n.m = 2;
  assert.equal(JSON.stringify([doc, patch]), before);
});
