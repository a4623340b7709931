// Checks the schemas of the non-core API groups: references resolve, names are unique, every
// served resource version has its kind and List, and the patch metadata that drives strategic
// merge patch and server-side apply matches upstream on the fields where it matters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArraySchema, FieldDef, Schema, StructDef } from './dsl.js';
import { builtinResources } from '../resources.js';
import { descriptions, TYPE_KEY } from './descriptions.js';
import * as apps from './apps.js';
import * as batch from './batch.js';
import * as autoscaling from './autoscaling.js';
import * as networking from './networking.js';
import * as discovery from './discovery.js';
import * as events from './events.js';
import * as coordination from './coordination.js';
import * as storage from './storage.js';
import * as rbac from './rbac.js';
import * as policy from './policy.js';
import * as scheduling from './scheduling.js';
import * as meta from './meta.js';
import * as core from './core.js';
import * as corePod from './core-pod.js';

const mine: StructDef[] = [
  ...apps.defs, ...batch.defs, ...autoscaling.defs, ...networking.defs, ...discovery.defs, ...events.defs,
  ...coordination.defs, ...storage.defs, ...rbac.defs, ...policy.defs, ...scheduling.defs,
];
const byName = new Map(mine.map((d) => [d.name, d]));

/** Definitions these files reference but leave to meta.ts, core.ts and core-pod.ts. */
const external = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.api.core.v1.PodTemplateSpec',
  'io.k8s.api.core.v1.PersistentVolumeClaim',
  'io.k8s.api.core.v1.ObjectReference',
  'io.k8s.api.core.v1.TypedLocalObjectReference',
  'io.k8s.api.core.v1.EventSource',
  'io.k8s.api.core.v1.TopologySelectorTerm',
]);

function refsOf(s: Schema): string[] {
  switch (s.type) {
    case 'ref': return [s.ref];
    case 'array': return refsOf(s.items);
    case 'map': return refsOf(s.values);
    default: return [];
  }
}

function def(name: string): StructDef {
  const d = byName.get(name);
  assert.ok(d, `no definition ${name}`);
  return d;
}

function field(name: string, path: string): FieldDef {
  const fd = def(name).fields[path];
  assert.ok(fd, `${name} has no field ${path}`);
  return fd;
}

function arrayField(name: string, path: string): ArraySchema {
  const s = field(name, path).schema;
  assert.equal(s.type, 'array', `${name}.${path} is not a list`);
  return s as ArraySchema;
}

test('every reference resolves to a definition here or to a named core/meta definition', () => {
  const missing: string[] = [];
  for (const d of mine) {
    for (const [k, fd] of Object.entries(d.fields)) {
      for (const r of refsOf(fd.schema)) if (!byName.has(r) && !external.has(r)) missing.push(`${d.name}.${k} -> ${r}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every external name is really used (the list stays honest)', () => {
  const used = new Set(mine.flatMap((d) => Object.values(d.fields).flatMap((fd) => refsOf(fd.schema))));
  for (const name of external) assert.ok(used.has(name), `${name} is listed as external but never referenced`);
});

test('every external name is defined by the core and meta files', () => {
  const theirs = new Set([...meta.defs, ...core.defs, ...corePod.defs].map((d) => d.name));
  for (const name of external) assert.ok(theirs.has(name), `${name} is not defined by meta.ts, core.ts or core-pod.ts`);
});

test('no definition name is defined twice, here or by the core and meta files', () => {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const d of mine) {
    if (seen.has(d.name)) dups.push(d.name);
    seen.add(d.name);
  }
  for (const d of [...meta.defs, ...core.defs, ...corePod.defs]) if (seen.has(d.name)) dups.push(`${d.name} (also in core/meta)`);
  assert.deepEqual(dups, []);
});

test('required fields and merge keys name real fields', () => {
  for (const d of mine) {
    for (const r of d.required ?? []) assert.ok(r in d.fields, `${d.name} requires unknown field ${r}`);
    for (const [k, fd] of Object.entries(d.fields)) {
      const s = fd.schema;
      if (s.type !== 'array') continue;
      const keys = [...(s.mapKeys ?? []), ...(s.patchMergeKey ? [s.patchMergeKey] : [])];
      if (keys.length === 0) continue;
      assert.equal(s.items.type, 'ref', `${d.name}.${k} has merge keys on scalar items`);
      const item = s.items.type === 'ref' ? byName.get(s.items.ref) : undefined;
      if (!item) continue; // an external item type (meta Condition) is checked by its owner
      for (const key of keys) assert.ok(key in item.fields, `${d.name}.${k}: merge key ${key} is not a field of ${item.name}`);
    }
  }
});

test('every served resource version of these groups has its kind and List with matching gvk', () => {
  const groups = new Set(['apps', 'batch', 'autoscaling', 'networking.k8s.io', 'discovery.k8s.io', 'events.k8s.io',
    'coordination.k8s.io', 'storage.k8s.io', 'rbac.authorization.k8s.io', 'policy', 'scheduling.k8s.io']);
  const resources = builtinResources.filter((r) => groups.has(r.group));
  assert.equal(new Set(resources.map((r) => r.group)).size, groups.size, 'a group has no resources');
  for (const r of resources) {
    for (const v of r.versions) {
      const kind = def(v.schema);
      assert.deepEqual(kind.gvk, [{ group: r.group, version: v.version, kind: r.kind }], v.schema);
      assert.equal(kind.fields.metadata?.schema.type, 'ref', `${v.schema} has no metadata`);
      assert.ok(descriptions().get(v.schema)?.[TYPE_KEY], `${v.schema} has no description`);
      const listDef = def(`${v.schema}List`);
      assert.deepEqual(listDef.gvk, [{ group: r.group, version: v.version, kind: `${r.kind}List` }]);
      assert.deepEqual(listDef.fields.items?.schema, { type: 'array', items: { type: 'ref', ref: v.schema } });
    }
  }
});

test('subresource bodies are served as autoscaling/v1 Scale and policy/v1 Eviction', () => {
  assert.deepEqual(def('io.k8s.api.autoscaling.v1.Scale').gvk, [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }]);
  assert.deepEqual(field('io.k8s.api.autoscaling.v1.ScaleStatus', 'selector').schema, { type: 'string' });
  assert.deepEqual(def('io.k8s.api.policy.v1.Eviction').gvk, [{ group: 'policy', version: 'v1', kind: 'Eviction' }]);
  assert.deepEqual(field('io.k8s.api.policy.v1.Eviction', 'deleteOptions').schema, { type: 'ref', ref: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions' });
});

test('workload conditions merge on type in both patch flavours', () => {
  for (const [status, cond] of [['DeploymentStatus', 'DeploymentCondition'], ['ReplicaSetStatus', 'ReplicaSetCondition'],
    ['StatefulSetStatus', 'StatefulSetCondition'], ['DaemonSetStatus', 'DaemonSetCondition']]) {
    assert.deepEqual(arrayField(`io.k8s.api.apps.v1.${status}`, 'conditions'), {
      type: 'array', items: { type: 'ref', ref: `io.k8s.api.apps.v1.${cond}` },
      listType: 'map', mapKeys: ['type'], patchStrategy: 'merge', patchMergeKey: 'type',
    });
  }
  const hpa = arrayField('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus', 'conditions');
  assert.equal(hpa.patchMergeKey, 'type');
  assert.deepEqual(hpa.mapKeys, ['type']);
  const pdb = arrayField('io.k8s.api.policy.v1.PodDisruptionBudgetStatus', 'conditions');
  assert.deepEqual(pdb.items, { type: 'ref', ref: 'io.k8s.apimachinery.pkg.apis.meta.v1.Condition' });
  assert.equal(pdb.listType, 'map');
});

test('Job conditions merge on type for strategic merge but are atomic for apply', () => {
  const c = arrayField('io.k8s.api.batch.v1.JobStatus', 'conditions');
  assert.equal(c.listType, 'atomic');
  assert.equal(c.patchStrategy, 'merge');
  assert.equal(c.patchMergeKey, 'type');
  assert.equal(c.mapKeys, undefined);
  const active = arrayField('io.k8s.api.batch.v1.CronJobStatus', 'active');
  assert.equal(active.patchStrategy, undefined);
  assert.notEqual(active.listType, 'map');
});

test('field-level patch strategies: Deployment strategy retains keys, PDB selector is replaced', () => {
  assert.equal(field('io.k8s.api.apps.v1.DeploymentSpec', 'strategy').patchStrategy, 'retainKeys');
  assert.equal(field('io.k8s.api.policy.v1.PodDisruptionBudgetSpec', 'selector').patchStrategy, 'replace');
  // StatefulSet and DaemonSet update strategies carry no retainKeys upstream.
  assert.equal(field('io.k8s.api.apps.v1.StatefulSetSpec', 'updateStrategy').patchStrategy, undefined);
  assert.equal(field('io.k8s.api.apps.v1.DaemonSetSpec', 'updateStrategy').patchStrategy, undefined);
});

test('sets without a strategic-merge strategy stay sets for apply only', () => {
  for (const [name, path] of [['io.k8s.api.discovery.v1.Endpoint', 'addresses'], ['io.k8s.api.batch.v1.UncountedTerminatedPods', 'succeeded'],
    ['io.k8s.api.batch.v1.UncountedTerminatedPods', 'failed'], ['io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement', 'values']]) {
    const s = arrayField(name, path);
    assert.equal(s.listType, 'set', `${name}.${path}`);
    assert.equal(s.patchStrategy, undefined, `${name}.${path}`);
  }
  assert.deepEqual(arrayField('io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement', 'values').items, { type: 'integer', format: 'int32' });
});

test('integer widths follow upstream', () => {
  const int64 = { type: 'integer', format: 'int64' };
  const int32 = { type: 'integer', format: 'int32' };
  for (const d of mine) {
    const og = d.fields.observedGeneration;
    if (og) assert.deepEqual(og.schema, int64, `${d.name}.observedGeneration`);
  }
  assert.deepEqual(field('io.k8s.api.apps.v1.ControllerRevision', 'revision').schema, int64);
  assert.deepEqual(field('io.k8s.api.batch.v1.JobSpec', 'activeDeadlineSeconds').schema, int64);
  assert.deepEqual(field('io.k8s.api.batch.v1.CronJobSpec', 'startingDeadlineSeconds').schema, int64);
  assert.deepEqual(field('io.k8s.api.batch.v1.JobSpec', 'backoffLimit').schema, int32);
  assert.deepEqual(field('io.k8s.api.scheduling.v1.PriorityClass', 'value').schema, int32);
  assert.deepEqual(field('io.k8s.api.events.v1.Event', 'deprecatedCount').schema, int32);
});

test('times: events and leases use MicroTime, conditions use Time', () => {
  assert.deepEqual(field('io.k8s.api.events.v1.Event', 'eventTime').schema, { type: 'time', micro: true });
  assert.deepEqual(def('io.k8s.api.events.v1.Event').required, ['eventTime']);
  assert.deepEqual(field('io.k8s.api.events.v1.EventSeries', 'lastObservedTime').schema, { type: 'time', micro: true });
  assert.deepEqual(field('io.k8s.api.events.v1.Event', 'deprecatedFirstTimestamp').schema, { type: 'time' });
  assert.deepEqual(field('io.k8s.api.coordination.v1.LeaseSpec', 'renewTime').schema, { type: 'time', micro: true });
  assert.deepEqual(field('io.k8s.api.coordination.v1.LeaseSpec', 'acquireTime').schema, { type: 'time', micro: true });
  assert.deepEqual(field('io.k8s.api.apps.v1.DeploymentCondition', 'lastUpdateTime').schema, { type: 'time' });
  assert.deepEqual(field('io.k8s.api.policy.v1.PodDisruptionBudgetStatus', 'disruptedPods').schema, { type: 'map', values: { type: 'time' } });
});

test('required lists of the main specs match upstream', () => {
  assert.deepEqual(def('io.k8s.api.apps.v1.DeploymentSpec').required, ['selector', 'template']);
  assert.deepEqual(def('io.k8s.api.apps.v1.ReplicaSetSpec').required, ['selector']);
  assert.deepEqual(def('io.k8s.api.apps.v1.StatefulSetSpec').required, ['selector', 'template', 'serviceName']);
  assert.deepEqual(def('io.k8s.api.batch.v1.CronJobSpec').required, ['schedule', 'jobTemplate']);
  assert.deepEqual(def('io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus').required, ['currentReplicas', 'desiredReplicas']);
  assert.deepEqual(def('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus').required, ['desiredReplicas']);
  assert.deepEqual(def('io.k8s.api.rbac.v1.RoleRef').required, ['apiGroup', 'kind', 'name']);
  assert.deepEqual(def('io.k8s.api.discovery.v1.EndpointSlice').required, ['addressType', 'endpoints']);
});

test('the two HPA versions are distinct definitions with their own references', () => {
  assert.deepEqual(field('io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec', 'scaleTargetRef').schema,
    { type: 'ref', ref: 'io.k8s.api.autoscaling.v1.CrossVersionObjectReference' });
  assert.deepEqual(field('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec', 'scaleTargetRef').schema,
    { type: 'ref', ref: 'io.k8s.api.autoscaling.v2.CrossVersionObjectReference' });
  assert.ok(!('metrics' in def('io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec').fields));
  assert.deepEqual(field('io.k8s.api.autoscaling.v2.MetricTarget', 'averageValue').schema, { type: 'quantity' });
});

test('StorageClass uses the core/v1 topology terms and requires a provisioner', () => {
  assert.deepEqual(arrayField('io.k8s.api.storage.v1.StorageClass', 'allowedTopologies').items,
    { type: 'ref', ref: 'io.k8s.api.core.v1.TopologySelectorTerm' });
  assert.deepEqual(def('io.k8s.api.storage.v1.StorageClass').required, ['provisioner']);
  assert.deepEqual(field('io.k8s.api.storage.v1.StorageClass', 'parameters').schema, { type: 'map', values: { type: 'string' } });
});
