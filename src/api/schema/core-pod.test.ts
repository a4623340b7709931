// Checks the core/v1 Pod schemas: closed references, reachability, and the patch metadata that
// strategic merge patch and server-side apply depend on (values as in the upstream v1.32 tags).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArraySchema, Schema, StructDef } from './dsl.js';
import { defs } from './core-pod.js';

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Names core-pod.ts may reference but that other schema files (meta.ts, core.ts) define. */
const EXTERNAL = new Set([
  `${META}.ObjectMeta`,
  `${META}.ListMeta`,
  `${META}.LabelSelector`,
  `${CORE}.PersistentVolumeClaimSpec`,
]);

const byName = new Map(defs.map((d) => [d.name, d]));

function refsOf(s: Schema): string[] {
  switch (s.type) {
    case 'ref': return [s.ref];
    case 'map': return refsOf(s.values);
    case 'array': return refsOf(s.items);
    default: return [];
  }
}

function structNamed(short: string): StructDef {
  const d = byName.get(`${CORE}.${short}`);
  assert.ok(d, `missing ${short}`);
  return d;
}

function arrayField(struct: string, field: string): ArraySchema {
  const fd = structNamed(struct).fields[field];
  assert.ok(fd, `${struct}.${field} missing`);
  assert.equal(fd.schema.type, 'array', `${struct}.${field} is not a list`);
  return fd.schema as ArraySchema;
}

test('definition names are unique', () => {
  const seen = new Set<string>();
  for (const d of defs) {
    assert.ok(!seen.has(d.name), `duplicate definition ${d.name}`);
    seen.add(d.name);
  }
});

test('every reference resolves to a core-pod definition or a known external one', () => {
  for (const d of defs) {
    for (const [field, fd] of Object.entries(d.fields)) {
      for (const r of refsOf(fd.schema)) {
        assert.ok(byName.has(r) || EXTERNAL.has(r), `${d.name}.${field} references unknown ${r}`);
      }
    }
  }
});

test('every definition is reachable from the served kinds (no stray or misspelled types)', () => {
  const roots = ['Pod', 'PodList', 'PodTemplate', 'PodTemplateList'].map((k) => `${CORE}.${k}`);
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const d = byName.get(name);
    if (!d) continue;
    for (const fd of Object.values(d.fields)) queue.push(...refsOf(fd.schema));
  }
  const unreachable = defs.map((d) => d.name).filter((n) => !seen.has(n));
  assert.deepEqual(unreachable, []);
});

test('required fields exist; merge and map keys name fields of the item struct', () => {
  for (const d of defs) {
    for (const r of d.required ?? []) assert.ok(d.fields[r], `${d.name} requires missing field ${r}`);
    for (const [field, fd] of Object.entries(d.fields)) {
      if (fd.schema.type !== 'array') continue;
      const a = fd.schema;
      const keys = [...(a.mapKeys ?? []), ...(a.patchMergeKey ? [a.patchMergeKey] : [])];
      if (keys.length === 0) continue;
      assert.equal(a.items.type, 'ref', `${d.name}.${field}: keyed list of non-structs`);
      const item = byName.get((a.items as { ref: string }).ref);
      assert.ok(item, `${d.name}.${field}: item type not defined here`);
      for (const k of keys) assert.ok(item.fields[k], `${d.name}.${field}: key ${k} is not a field of ${item.name}`);
    }
  }
});

test('served kinds carry their group/version/kind', () => {
  for (const kind of ['Pod', 'PodList', 'PodTemplate', 'PodTemplateList']) {
    assert.deepEqual(structNamed(kind).gvk, [{ group: '', version: 'v1', kind }]);
  }
  assert.deepEqual(structNamed('PodList').fields.items?.schema, { type: 'array', items: { type: 'ref', ref: `${CORE}.Pod` } });
});

// [struct, field, patchStrategy, patchMergeKey, listType, mapKeys]
type ListCase = [string, string, ArraySchema['patchStrategy'], string | undefined, ArraySchema['listType'], readonly string[] | undefined];
const listCases: ListCase[] = [
  ['PodSpec', 'containers', 'merge', 'name', 'map', ['name']],
  ['PodSpec', 'initContainers', 'merge', 'name', 'map', ['name']],
  ['PodSpec', 'ephemeralContainers', 'merge', 'name', 'map', ['name']],
  ['PodSpec', 'volumes', 'merge,retainKeys', 'name', 'map', ['name']],
  ['PodSpec', 'imagePullSecrets', 'merge', 'name', 'map', ['name']],
  ['PodSpec', 'hostAliases', 'merge', 'ip', 'map', ['ip']],
  ['PodSpec', 'tolerations', undefined, undefined, 'atomic', undefined],
  ['PodSpec', 'readinessGates', undefined, undefined, 'atomic', undefined],
  ['PodSpec', 'topologySpreadConstraints', 'merge', 'topologyKey', 'map', ['topologyKey', 'whenUnsatisfiable']],
  ['PodSpec', 'schedulingGates', 'merge', 'name', 'map', ['name']],
  ['PodSpec', 'resourceClaims', 'merge,retainKeys', 'name', 'map', ['name']],
  ['Container', 'ports', 'merge', 'containerPort', 'map', ['containerPort', 'protocol']],
  ['Container', 'env', 'merge', 'name', 'map', ['name']],
  ['Container', 'envFrom', undefined, undefined, 'atomic', undefined],
  ['Container', 'volumeMounts', 'merge', 'mountPath', 'map', ['mountPath']],
  ['Container', 'volumeDevices', 'merge', 'devicePath', 'map', ['devicePath']],
  ['Container', 'resizePolicy', undefined, undefined, 'atomic', undefined],
  ['Container', 'command', undefined, undefined, 'atomic', undefined],
  ['EphemeralContainer', 'ports', 'merge', 'containerPort', 'map', ['containerPort', 'protocol']],
  ['EphemeralContainer', 'env', 'merge', 'name', 'map', ['name']],
  ['ResourceRequirements', 'claims', undefined, undefined, 'map', ['name']],
  ['PodStatus', 'conditions', 'merge', 'type', 'map', ['type']],
  ['PodStatus', 'podIPs', 'merge', 'ip', 'map', ['ip']],
  ['PodStatus', 'hostIPs', 'merge', 'ip', 'atomic', undefined],
  ['PodStatus', 'containerStatuses', undefined, undefined, 'atomic', undefined],
  ['PodStatus', 'resourceClaimStatuses', 'merge,retainKeys', 'name', 'map', ['name']],
  ['ContainerStatus', 'volumeMounts', 'merge', 'mountPath', 'map', ['mountPath']],
  ['ContainerStatus', 'allocatedResourcesStatus', 'merge', 'name', 'map', ['name']],
  ['ResourceStatus', 'resources', undefined, undefined, 'map', ['resourceID']],
  ['ProjectedVolumeSource', 'sources', undefined, undefined, 'atomic', undefined],
];

for (const [struct, field, strategy, mergeKey, listType, mapKeys] of listCases) {
  test(`${struct}.${field}: strategy ${strategy ?? 'none'}, merge key ${mergeKey ?? 'none'}, list type ${listType}`, () => {
    const a = arrayField(struct, field);
    assert.equal(a.patchStrategy, strategy);
    assert.equal(a.patchMergeKey, mergeKey);
    assert.equal(a.listType, listType);
    assert.deepEqual(a.mapKeys, mapKeys);
  });
}

test('retainKeys lives on the volumes list, not on the Volume struct', () => {
  assert.equal(structNamed('Volume').patchStrategy, undefined);
  assert.equal(structNamed('Volume').fields.hostPath?.patchStrategy, undefined);
});

test('Volume offers every v1.32 volume source', () => {
  const sources = [
    'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
    'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
    'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
    'csi', 'ephemeral', 'image',
  ];
  assert.deepEqual(Object.keys(structNamed('Volume').fields).sort(), ['name', ...sources].sort());
  assert.deepEqual(structNamed('Volume').required, ['name']);
});

test('integer formats follow the Go field types', () => {
  const format = (struct: string, field: string) => {
    const s = structNamed(struct).fields[field]?.schema;
    const leaf = s?.type === 'array' ? s.items : s;
    assert.equal(leaf?.type, 'integer', `${struct}.${field} is not an integer`);
    return (leaf as { format: string }).format;
  };
  const cases: [string, string, string][] = [
    ['PodSpec', 'terminationGracePeriodSeconds', 'int64'],
    ['PodSpec', 'activeDeadlineSeconds', 'int64'],
    ['PodSpec', 'priority', 'int32'],
    ['ContainerPort', 'containerPort', 'int32'],
    ['ContainerPort', 'hostPort', 'int32'],
    ['Probe', 'periodSeconds', 'int32'],
    ['Probe', 'terminationGracePeriodSeconds', 'int64'],
    ['SleepAction', 'seconds', 'int64'],
    ['PodSecurityContext', 'runAsUser', 'int64'],
    ['PodSecurityContext', 'supplementalGroups', 'int64'],
    ['LinuxContainerUser', 'uid', 'int64'],
    ['ContainerStatus', 'restartCount', 'int32'],
    ['ContainerStateTerminated', 'exitCode', 'int32'],
    ['Toleration', 'tolerationSeconds', 'int64'],
    ['ServiceAccountTokenProjection', 'expirationSeconds', 'int64'],
    ['KeyToPath', 'mode', 'int32'],
    ['ISCSIVolumeSource', 'lun', 'int32'],
  ];
  for (const [struct, field, want] of cases) assert.equal(format(struct, field), want, `${struct}.${field}`);
});

test('ports and resource amounts use the int-or-string and quantity schemas', () => {
  assert.deepEqual(structNamed('HTTPGetAction').fields.port?.schema, { type: 'int-or-string' });
  assert.deepEqual(structNamed('TCPSocketAction').fields.port?.schema, { type: 'int-or-string' });
  assert.deepEqual(structNamed('ResourceRequirements').fields.limits?.schema, { type: 'map', values: { type: 'quantity' } });
  assert.deepEqual(structNamed('EmptyDirVolumeSource').fields.sizeLimit?.schema, { type: 'quantity' });
});
