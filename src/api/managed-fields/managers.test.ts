import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, pathString } from './field-set.js';
import { compare, merge, toFieldSet, typeOf } from './typed.js';
import { ApplyConflicts, applyManagers, conflictMessage, decodeManagers, encodeManagers, updateManagers } from './managers.js';

const pod = typeOf('io.k8s.api.core.v1.Pod');
const anyT = typeOf('example.com.v1.Unknown');

test('fieldsV1 round trip and path printing', () => {
  const j = { 'f:data': { '.': {}, 'f:a': {} }, 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {} } } } };
  assert.deepEqual(FieldSet.fromJSON(j).toJSON(), j);
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image']), '.spec.containers[name="c"].image');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
  assert.equal(pathString(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}']), '.spec.ports[port=80,protocol="TCP"]');
});

test('toFieldSet follows list types: map by keys, set by value, atomic whole', () => {
  const v = { metadata: { finalizers: ['a'] }, spec: { containers: [{ name: 'c', image: 'i', args: ['x', 'y'] }] } };
  assert.deepEqual(toFieldSet(v, pod).toJSON(), {
    'f:metadata': { 'f:finalizers': { 'v:"a"': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:args': {}, 'f:image': {}, 'f:name': {} } } },
  });
  // Untyped objects: granular maps, atomic lists.
  assert.deepEqual(toFieldSet({ spec: { list: [1, 2], m: { a: 1 } } }, anyT).toJSON(), { 'f:spec': { 'f:list': {}, 'f:m': { 'f:a': {} } } });
});

test('compare and merge of keyed lists', () => {
  const a = { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] } };
  const b = { spec: { containers: [{ name: 'b', image: '2' }, { name: 'c', image: '1' }] } };
  const c = compare(a, b, pod);
  assert.deepEqual(c.modified.paths().map(pathString), ['.spec.containers[name="b"].image']);
  assert.ok(c.added.paths().map(pathString).includes('.spec.containers[name="c"]'));
  assert.ok(c.removed.paths().map(pathString).includes('.spec.containers[name="a"]'));
  assert.deepEqual(merge(a, { spec: { containers: [{ name: 'b', image: '3' }] } }, pod), { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '3' }] } });
});

test('apply conflicts, force and the upstream messages', () => {
  const t = anyT;
  const w = (m: string) => ({ manager: m, apiVersion: 'v1', subresource: '' });
  const cfg = { data: { owner: 'a', x: '1' } };
  const first = applyManagers([], w('a'), {}, cfg, toFieldSet(cfg, t), t, false);
  const cfg2 = { data: { owner: 'b', x: '2' } };
  assert.throws(() => applyManagers(first.managers, w('b'), first.merged, cfg2, toFieldSet(cfg2, t), t, false), (e: unknown) => {
    assert.ok(e instanceof ApplyConflicts);
    assert.equal(conflictMessage(e.conflicts), 'Apply failed with 2 conflicts: conflicts with "a":\n- .data.owner\n- .data.x');
    return true;
  });
  const forced = applyManagers(first.managers, w('b'), first.merged, cfg2, toFieldSet(cfg2, t), t, true);
  assert.deepEqual(forced.merged, cfg2);
  assert.deepEqual(forced.managers.map((m) => m.manager), ['b']);
  // An Update manager is printed with its version.
  const upd = updateManagers([], w('kubectl-edit'), undefined, { data: { z: '1' } }, t);
  const cfg3 = { data: { z: '2' } };
  assert.throws(() => applyManagers(upd, w('c'), { data: { z: '1' } }, cfg3, toFieldSet(cfg3, t), t, false), (e: unknown) => e instanceof ApplyConflicts && conflictMessage(e.conflicts) === 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.z');
  const enc = encodeManagers(upd, '2026-01-01T00:00:00Z');
  assert.deepEqual(enc, [{ manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:z': {} } } }]);
  assert.equal(decodeManagers(enc)[0]!.set.toJSON()['f:data'] !== undefined, true);
});

test('custom kinds registered from OpenAPI schemas use their list types', async () => {
  const { registerOpenAPIType } = await import('./openapi-types.js');
  registerOpenAPIType('crd:x.io/v1/W', { type: 'object', properties: { spec: { type: 'object', properties: {
    ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['p'], items: { type: 'object', properties: { p: { type: 'integer' }, n: { type: 'string' } } } },
    tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    sel: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { a: { type: 'string' } } },
  } } } });
  const t = typeOf('crd:x.io/v1/W');
  assert.deepEqual(toFieldSet({ spec: { ports: [{ p: 1, n: 'a' }], tags: ['x'], sel: { a: 'b' } } }, t).toJSON(), {
    'f:spec': { 'f:ports': { 'k:{"p":1}': { '.': {}, 'f:n': {}, 'f:p': {} } }, 'f:sel': {}, 'f:tags': { 'v:"x"': {} } },
  });
  registerOpenAPIType('crd:x.io/v1/W', undefined);
  assert.deepEqual(toFieldSet({ spec: { tags: ['x'] } }, typeOf('crd:x.io/v1/W')).toJSON(), { 'f:spec': { 'f:tags': {} } });
});
