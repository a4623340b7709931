// Consistency checks for the meta and core/v1 schema tables: names are unique, every ref
// resolves, required and merge keys name real fields, and spot checks of the patch metadata
// that strategic merge patch and server-side apply depend on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArraySchema, Schema, StructDef } from './dsl.js';
import { defs as metaDefs } from './meta.js';
import { defs as coreDefs } from './core.js';
import { defs as corePodDefs } from './core-pod.js';
import { builtinResources } from '../resources.js';
import { descriptions, TYPE_KEY } from './descriptions.js';

const c = (n: string): string => `io.k8s.api.core.v1.${n}`;
const m = (n: string): string => `io.k8s.apimachinery.pkg.apis.meta.v1.${n}`;

/** Names meta.ts/core.ts refer to but core-pod.ts owns. */
const CORE_POD_NAMES = [
  'PodTemplateSpec', 'LocalObjectReference', 'NodeSelector',
  'GCEPersistentDiskVolumeSource', 'AWSElasticBlockStoreVolumeSource', 'HostPathVolumeSource', 'NFSVolumeSource',
  'FCVolumeSource', 'FlockerVolumeSource', 'VsphereVirtualDiskVolumeSource', 'QuobyteVolumeSource',
  'AzureDiskVolumeSource', 'PhotonPersistentDiskVolumeSource', 'PortworxVolumeSource',
].map(c);

const mine = [...metaDefs, ...coreDefs];
const byName = new Map(mine.map((d) => [d.name, d]));

function struct(name: string): StructDef {
  const d = byName.get(name);
  assert.ok(d, `no definition ${name}`);
  return d;
}

function field(structName: string, fieldName: string): Schema {
  const f = struct(structName).fields[fieldName];
  assert.ok(f, `${structName} has no field ${fieldName}`);
  return f.schema;
}

function arrayField(structName: string, fieldName: string): ArraySchema {
  const s = field(structName, fieldName);
  assert.equal(s.type, 'array', `${structName}.${fieldName} is not a list`);
  return s as ArraySchema;
}

/** Every schema nested in a struct's fields, with a path for messages. */
function* walk(d: StructDef): Generator<[string, Schema]> {
  function* inner(path: string, s: Schema): Generator<[string, Schema]> {
    yield [path, s];
    if (s.type === 'array') yield* inner(`${path}[]`, s.items);
    if (s.type === 'map') yield* inner(`${path}{}`, s.values);
  }
  for (const [k, f] of Object.entries(d.fields)) yield* inner(`${d.name}.${k}`, f.schema);
}

test('definition names are unique and namespaced by file', () => {
  const seen = new Set<string>();
  for (const d of mine) {
    assert.ok(!seen.has(d.name), `duplicate definition ${d.name}`);
    seen.add(d.name);
  }
  for (const d of metaDefs) assert.match(d.name, /^io\.k8s\.apimachinery\.pkg\.(apis\.meta\.v1|version)\./);
  for (const d of coreDefs) assert.match(d.name, /^io\.k8s\.api\.core\.v1\./);
});

test('core.ts defines none of the names owned by core-pod.ts, and core-pod.ts none of ours', () => {
  for (const n of CORE_POD_NAMES) assert.ok(!byName.has(n), `${n} belongs to core-pod.ts`);
  for (const d of corePodDefs) assert.ok(!byName.has(d.name), `${d.name} is defined in core-pod.ts and here`);
});

test('every ref resolves to a definition here or to a core-pod.ts name', () => {
  const external = new Set(CORE_POD_NAMES);
  const dangling: string[] = [];
  for (const d of mine) {
    for (const [path, s] of walk(d)) {
      if (s.type === 'ref' && !byName.has(s.ref) && !external.has(s.ref)) dangling.push(`${path} -> ${s.ref}`);
    }
  }
  assert.deepEqual(dangling, []);
});

test('required fields exist', () => {
  for (const d of mine) for (const r of d.required ?? []) assert.ok(d.fields[r], `${d.name} requires missing field ${r}`);
});

test('list patch metadata is well formed and its keys name fields of the item struct', () => {
  for (const d of mine) {
    for (const [path, s] of walk(d)) {
      if (s.type !== 'array') continue;
      if (s.listType === 'map') assert.ok(s.mapKeys && s.mapKeys.length > 0, `${path}: map list without keys`);
      else assert.equal(s.mapKeys, undefined, `${path}: list-map-keys on a ${s.listType ?? 'atomic'} list`);
      if (s.listType === 'set') assert.notEqual(s.items.type, 'ref', `${path}: set of structs`);
      if (s.patchMergeKey) assert.match(s.patchStrategy ?? '', /^merge/, `${path}: merge key without merge strategy`);
      if (s.patchStrategy?.startsWith('merge') && s.items.type === 'ref') assert.ok(s.patchMergeKey, `${path}: merging structs needs a key`);
      if (s.items.type === 'ref' && byName.has(s.items.ref)) {
        const item = struct(s.items.ref);
        for (const k of [...(s.mapKeys ?? []), ...(s.patchMergeKey ? [s.patchMergeKey] : [])]) {
          assert.ok(item.fields[k], `${path}: key ${k} is not a field of ${item.name}`);
        }
      }
    }
  }
});

test('ObjectMeta: ownerReferences merge on uid, finalizers are a merged set, managedFields atomic', () => {
  assert.deepEqual(arrayField(m('ObjectMeta'), 'ownerReferences'), {
    type: 'array', items: { type: 'ref', ref: m('OwnerReference') }, listType: 'map', mapKeys: ['uid'], patchStrategy: 'merge', patchMergeKey: 'uid',
  });
  const fin = arrayField(m('ObjectMeta'), 'finalizers');
  assert.equal(fin.listType, 'set');
  assert.equal(fin.patchStrategy, 'merge');
  const mf = arrayField(m('ObjectMeta'), 'managedFields');
  assert.equal(mf.patchStrategy, undefined);
  assert.equal(field(m('ManagedFieldsEntry'), 'fieldsV1').type, 'any');
  assert.deepEqual(field(m('ObjectMeta'), 'labels'), { type: 'map', values: { type: 'string' } });
  assert.deepEqual(struct(m('OwnerReference')).required, ['apiVersion', 'kind', 'name', 'uid']);
});

test('Service ports merge on port and apply on (port, protocol)', () => {
  const ports = arrayField(c('ServiceSpec'), 'ports');
  assert.equal(ports.patchStrategy, 'merge');
  assert.equal(ports.patchMergeKey, 'port');
  assert.deepEqual(ports.mapKeys, ['port', 'protocol']);
  assert.deepEqual(struct(c('ServicePort')).required, ['port']);
  assert.equal(field(c('ServicePort'), 'targetPort').type, 'int-or-string');
  const conds = arrayField(c('ServiceStatus'), 'conditions');
  assert.deepEqual([conds.patchMergeKey, conds.items], ['type', { type: 'ref', ref: m('Condition') }]);
});

test('Node: conditions and addresses merge on type, taints are atomic, podCIDRs a merged set', () => {
  for (const f of ['conditions', 'addresses']) {
    const l = arrayField(c('NodeStatus'), f);
    assert.equal(l.patchMergeKey, 'type', f);
    assert.deepEqual(l.mapKeys, ['type'], f);
  }
  const taints = arrayField(c('NodeSpec'), 'taints');
  assert.equal(taints.patchStrategy, undefined);
  assert.equal(taints.patchMergeKey, undefined);
  const cidrs = arrayField(c('NodeSpec'), 'podCIDRs');
  assert.deepEqual([cidrs.listType, cidrs.patchStrategy], ['set', 'merge']);
  assert.deepEqual(field(c('NodeStatus'), 'capacity'), { type: 'map', values: { type: 'quantity' } });
  assert.ok(struct(c('DaemonEndpoint')).fields.Port, 'DaemonEndpoint keeps upstream\'s capitalised Port');
});

test('other merge keys follow upstream', () => {
  const cases: [string, string, string][] = [
    [c('ServiceAccount'), 'secrets', 'name'],
    [c('NamespaceStatus'), 'conditions', 'type'],
    [c('ReplicationControllerStatus'), 'conditions', 'type'],
    [c('PersistentVolumeClaimStatus'), 'conditions', 'type'],
    [c('ComponentStatus'), 'conditions', 'type'],
  ];
  for (const [s, f, key] of cases) assert.equal(arrayField(s, f).patchMergeKey, key, `${s}.${f}`);
  for (const [s, f] of [[c('Endpoints'), 'subsets'], [c('ServiceAccount'), 'imagePullSecrets'], [c('NamespaceSpec'), 'finalizers'], [c('LimitRangeSpec'), 'limits']]) {
    assert.equal(arrayField(s, f).patchStrategy, undefined, `${s}.${f} is atomic`);
  }
});

test('byte-valued maps: Secret.data and ConfigMap.binaryData are base64, stringData is text', () => {
  assert.deepEqual(field(c('Secret'), 'data'), { type: 'map', values: { type: 'string', format: 'byte' } });
  assert.deepEqual(field(c('ConfigMap'), 'binaryData'), { type: 'map', values: { type: 'string', format: 'byte' } });
  assert.deepEqual(field(c('Secret'), 'stringData'), { type: 'map', values: { type: 'string' } });
  assert.deepEqual(field(c('Event'), 'eventTime'), { type: 'time', micro: true });
});

test('every core/v1 resource outside the Pod family is served by a kind and a List with gvk', () => {
  const podFamily = new Set(['Pod', 'PodTemplate']);
  for (const r of builtinResources) {
    if (r.group !== '' || podFamily.has(r.kind)) continue;
    for (const k of [r.kind, `${r.kind}List`]) {
      const d = struct(c(k));
      assert.deepEqual(d.gvk, [{ group: '', version: 'v1', kind: k }], k);
      assert.ok(d.fields.apiVersion && d.fields.kind && d.fields.metadata, `${k} lacks the standard fields`);
    }
    assert.ok(descriptions().get(c(r.kind))?.[TYPE_KEY], `${r.kind} has no description`);
    assert.deepEqual(field(c(`${r.kind}List`), 'items'), { type: 'array', items: { type: 'ref', ref: c(r.kind) } });
  }
  assert.deepEqual(struct(c('Binding')).gvk, [{ group: '', version: 'v1', kind: 'Binding' }]);
});

test('DeleteOptions and WatchEvent are registered in every served group-version; Status in core v1', () => {
  const served = new Set(builtinResources.flatMap((r) => r.versions.map((v) => `${r.group}/${v.version}`)));
  for (const kind of ['DeleteOptions', 'WatchEvent']) {
    const got = (struct(m(kind)).gvk ?? []).map((g) => `${g.group}/${g.version}`);
    assert.equal(new Set(got).size, got.length, `${kind}: repeated gvk`);
    assert.deepEqual(new Set(got), served, kind);
    for (const g of struct(m(kind)).gvk ?? []) assert.equal(g.kind, kind);
  }
  assert.ok(served.has('autoscaling/v1') && served.has('autoscaling/v2'));
  assert.deepEqual(struct(m('Status')).gvk, [{ group: '', version: 'v1', kind: 'Status' }]);
  assert.deepEqual(struct(m('APIResourceList')).gvk, [{ group: '', version: 'v1', kind: 'APIResourceList' }]);
});
