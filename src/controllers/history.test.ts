import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, fnv1, hashRevisionData, revisionMatchesTemplate, revisionName, safeEncodeString, sortRevisions, templateOfRevision, templatePatch } from './history.js';

test('FNV-1 32 (Go hash/fnv New32) test vectors', () => {
  const enc = new TextEncoder();
  assert.equal(fnv1(enc.encode('')), 0x811c9dc5);
  assert.equal(fnv1(enc.encode('a')), 0x050c5d7e);
  assert.equal(fnv1(enc.encode('foobar')), 0x31f0b262);
  // Continuing a hash equals hashing the concatenation (how the collision count is mixed in).
  assert.equal(fnv1(enc.encode('bar'), fnv1(enc.encode('foo'))), fnv1(enc.encode('foobar')));
});

test('safe encoding maps decimal digits into the vowel-free alphabet', () => {
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  assert.match(hashRevisionData({ a: 1 }), /^[456789bcdf]+$/);
  assert.notEqual(hashRevisionData({ a: 1 }), hashRevisionData({ a: 1 }, 1));
});

test('canonical JSON sorts keys and escapes like Go json.Marshal', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: '<&>' } }), '{"a":{"c":"\\u003c\\u0026\\u003e","d":[{"y":2,"z":1}]},"b":1}');
});

test('revision data is the template patch; equality ignores key order', () => {
  const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const data = templatePatch(template);
  assert.deepEqual(data, { spec: { template: { ...template, $patch: 'replace' } } });
  const rev = { metadata: { name: 'x-1' }, data, revision: 1 };
  assert.ok(revisionMatchesTemplate(rev, { spec: template.spec, metadata: template.metadata }));
  assert.ok(!revisionMatchesTemplate(rev, { ...template, spec: { containers: [] } }));
  assert.deepEqual(templateOfRevision(rev), template);
  assert.equal(revisionName('a'.repeat(300), 'h').length, 225);
  const sorted = sortRevisions([{ metadata: { name: 'b' }, revision: 2 }, { metadata: { name: 'a' }, revision: 1 }]);
  assert.deepEqual(sorted.map((r) => r.revision), [1, 2]);
});
