import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { MAX_JSON_PATCH_OPERATIONS, PATCH_NOT_APPLIED_MESSAGE, applyJsonPatch } from './json-patch.js';

const doc = () => ({
  metadata: { name: 'web', labels: { app: 'web', 'a/b': 'x', 'm~n': 'y' } },
  spec: { replicas: 1, items: ['a', 'b', 'c'] },
});

function rejects(fn: () => unknown, code: number, cause?: RegExp): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected StatusError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (code === 422) {
      assert.equal(e.reason, 'Invalid');
      assert.equal(e.message, PATCH_NOT_APPLIED_MESSAGE);
      assert.deepEqual(e.toStatus().details, {});
    }
    if (cause) assert.match(String(e.cause), cause);
    return e;
  }
  assert.fail('expected an error');
}

test('add, replace, remove on objects and arrays', () => {
  const out = applyJsonPatch(doc(), [
    { op: 'add', path: '/metadata/labels/tier', value: 'front' },
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'remove', path: '/spec/items/0' },
    { op: 'add', path: '/spec/items/-', value: 'd' },
    { op: 'add', path: '/spec/items/1', value: 'x' },
  ]);
  assert.deepEqual(out, {
    metadata: { name: 'web', labels: { app: 'web', 'a/b': 'x', 'm~n': 'y', tier: 'front' } },
    spec: { replicas: 3, items: ['b', 'x', 'c', 'd'] },
  });
});

test('pointer escapes ~1 and ~0', () => {
  const out = applyJsonPatch(doc(), [
    { op: 'replace', path: '/metadata/labels/a~1b', value: 'slash' },
    { op: 'remove', path: '/metadata/labels/m~0n' },
  ]) as ReturnType<typeof doc>;
  assert.deepEqual(out.metadata.labels, { app: 'web', 'a/b': 'slash' });
});

test('move, copy and test', () => {
  const out = applyJsonPatch(doc(), [
    { op: 'test', path: '/metadata/name', value: 'web' },
    { op: 'copy', from: '/metadata/labels', path: '/spec/selector' },
    { op: 'move', from: '/spec/items', path: '/spec/list' },
    { op: 'add', path: '/spec/selector/extra', value: '1' },
  ]) as Record<string, Record<string, unknown>>;
  assert.deepEqual(out.spec, { replicas: 1, selector: { app: 'web', 'a/b': 'x', 'm~n': 'y', extra: '1' }, list: ['a', 'b', 'c'] });
  // The copy is independent of its source.
  assert.equal((out.metadata!.labels as Record<string, string>).extra, undefined);
});

test('test compares deeply, ignoring key order', () => {
  assert.doesNotThrow(() => applyJsonPatch(doc(), [{ op: 'test', path: '/spec', value: { items: ['a', 'b', 'c'], replicas: 1 } }]));
  rejects(() => applyJsonPatch(doc(), [{ op: 'test', path: '/spec/items', value: ['a', 'b'] }]), 422, /testing value \/spec\/items failed: test failed/);
});

test('failed test is 422 with upstream message and the reason as cause', () => {
  rejects(() => applyJsonPatch(doc(), [{ op: 'test', path: '/metadata/name', value: 'other' }]), 422, /^testing value \/metadata\/name failed: test failed$/);
});

test('missing paths are 422', () => {
  rejects(() => applyJsonPatch(doc(), [{ op: 'replace', path: '/spec/foo', value: 1 }]), 422, /jsonpatch replace operation does not apply: doc is missing key: \/spec\/foo: missing value/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'remove', path: '/spec/foo' }]), 422, /nonexistent key: foo/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'add', path: '/nope/foo', value: 1 }]), 422, /doc is missing path/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'move', from: '/nope', path: '/spec/x' }]), 422, /missing from path/);
});

test('array index bounds', () => {
  rejects(() => applyJsonPatch(doc(), [{ op: 'add', path: '/spec/items/4', value: 'z' }]), 422, /invalid index/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'replace', path: '/spec/items/3', value: 'z' }]), 422);
  rejects(() => applyJsonPatch(doc(), [{ op: 'remove', path: '/spec/items/x' }]), 422, /proper array index/);
  // Index == length is an append for add.
  const out = applyJsonPatch(doc(), [{ op: 'add', path: '/spec/items/3', value: 'z' }]) as { spec: { items: string[] } };
  assert.deepEqual(out.spec.items, ['a', 'b', 'c', 'z']);
  // Negative indices count from the end (evanphx v4, as upstream).
  const neg = applyJsonPatch(doc(), [{ op: 'remove', path: '/spec/items/-1' }]) as { spec: { items: string[] } };
  assert.deepEqual(neg.spec.items, ['a', 'b']);
});

test('unknown op and missing fields are 422', () => {
  rejects(() => applyJsonPatch(doc(), [{ op: 'frobnicate', path: '/a' }]), 422, /Unexpected kind: frobnicate/);
  rejects(() => applyJsonPatch(doc(), [{ path: '/a' }]), 422, /Unexpected kind: unknown/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'add', path: '/a' }]), 422, /missing value/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'replace', value: 1 }]), 422, /missing path/);
});

test('malformed patch documents are 400', () => {
  const e = rejects(() => applyJsonPatch(doc(), { op: 'add' }), 400);
  assert.equal(e.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  assert.equal(rejects(() => applyJsonPatch(doc(), [1]), 400).message, 'json: cannot unmarshal number into Go value of type jsonpatch.Operation');
});

test('too many operations is 413', () => {
  const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }));
  const e = rejects(() => applyJsonPatch(doc(), ops), 413);
  assert.match(e.message, /maximum operations in a JSON patch is 10000, got 10001/);
});

test('inputs are never changed, even when a later op fails', () => {
  const d = doc();
  const value = { nested: { a: 1 } };
  const ops = [
    { op: 'add', path: '/spec/obj', value },
    { op: 'add', path: '/spec/obj/nested/b', value: 2 },
    { op: 'remove', path: '/metadata/labels' },
  ];
  const before = JSON.stringify([d, ops]);
  applyJsonPatch(d, ops);
  rejects(() => applyJsonPatch(d, [...ops, { op: 'test', path: '/x', value: 1 }]), 422);
  assert.equal(JSON.stringify([d, ops]), before);
});

test('whole-document replace and __proto__ keys stay data', () => {
  assert.deepEqual(applyJsonPatch(doc(), [{ op: 'replace', path: '', value: { a: 1 } }]), { a: 1 });
  const out = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
