// Checks the protobuf field-number tables of the non-core groups against the schema DSL: every
// struct and field has a number (and nothing stale is listed), numbers are valid and unique within
// a message, and the numbers that break the "in declaration order" pattern match upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StructDef } from '../schema/dsl.js';
import * as apps from '../schema/apps.js';
import * as batch from '../schema/batch.js';
import * as autoscaling from '../schema/autoscaling.js';
import * as networking from '../schema/networking.js';
import * as discovery from '../schema/discovery.js';
import * as events from '../schema/events.js';
import * as coordination from '../schema/coordination.js';
import * as storage from '../schema/storage.js';
import * as rbac from '../schema/rbac.js';
import * as policy from '../schema/policy.js';
import * as scheduling from '../schema/scheduling.js';
import { fields, inlineMembers } from './fields-groups.js';

const defs: StructDef[] = [
  ...apps.defs, ...batch.defs, ...autoscaling.defs, ...networking.defs, ...discovery.defs, ...events.defs,
  ...coordination.defs, ...storage.defs, ...rbac.defs, ...policy.defs, ...scheduling.defs,
];

/** apiVersion and kind of a served kind travel in the runtime.Unknown envelope, not the message. */
function isTypeMeta(d: StructDef, field: string): boolean {
  return d.gvk !== undefined && (field === 'apiVersion' || field === 'kind');
}

/** The DSL fields a protobuf message carries. */
function wireFields(d: StructDef): string[] {
  return Object.keys(d.fields).filter((k) => !isTypeMeta(d, k));
}

// The largest field number protobuf allows, and the range it reserves for its own use.
const MAX_FIELD = 2 ** 29 - 1;
const isReserved = (n: number) => n >= 19000 && n <= 19999;

test('every struct of the non-core groups has a table, and every table names a struct', () => {
  const names = new Set(defs.map((d) => d.name));
  assert.deepEqual(defs.filter((d) => !fields[d.name]).map((d) => d.name), [], 'structs without field numbers');
  assert.deepEqual(Object.keys(fields).filter((n) => !names.has(n)), [], 'tables for unknown structs');
  assert.deepEqual(Object.keys(inlineMembers).filter((n) => !names.has(n)), [], 'inline members of unknown structs');
});

test('every field has exactly one number and no table lists a field the schema lacks', () => {
  const problems: string[] = [];
  for (const d of defs) {
    const table = fields[d.name] ?? {};
    const inline = inlineMembers[d.name] ?? {};
    for (const k of wireFields(d)) {
      const inTable = k in table;
      const inInline = k in inline;
      if (!inTable && !inInline) problems.push(`${d.name}.${k} has no number`);
      if (inTable && inInline) problems.push(`${d.name}.${k} is both a field and an inline member`);
    }
    for (const k of [...Object.keys(table), ...Object.keys(inline)]) {
      if (!(k in d.fields)) problems.push(`${d.name}.${k} is not a field of the schema`);
      else if (isTypeMeta(d, k)) problems.push(`${d.name}.${k} is TypeMeta, which the message does not carry`);
    }
  }
  assert.deepEqual(problems, []);
});

test('numbers are valid protobuf field numbers and unique within each message', () => {
  const problems: string[] = [];
  for (const [name, table] of Object.entries(fields)) {
    const inline = Object.values(inlineMembers[name] ?? {});
    const wrappers = new Set(inline.map(([wrapper]) => wrapper));
    const seen = new Map<number, string>();
    for (const [k, n] of Object.entries(table)) {
      if (!Number.isInteger(n) || n < 1 || n > MAX_FIELD || isReserved(n)) problems.push(`${name}.${k}: invalid number ${n}`);
      const other = seen.get(n);
      if (other) problems.push(`${name}: ${k} and ${other} share number ${n}`);
      seen.set(n, k);
      if (wrappers.has(n)) problems.push(`${name}.${k}: number ${n} is the wrapper of an inline member`);
    }
  }
  // Members lifted out of one wrapper must not collide inside that wrapper either.
  for (const [name, inline] of Object.entries(inlineMembers)) {
    const seen = new Set<string>();
    for (const [k, [wrapper, member]] of Object.entries(inline)) {
      if (![wrapper, member].every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_FIELD)) problems.push(`${name}.${k}: invalid path`);
      const key = `${wrapper}.${member}`;
      if (seen.has(key)) problems.push(`${name}.${k}: path ${key} used twice`);
      seen.add(key);
    }
  }
  assert.deepEqual(problems, []);
});

test('List types carry metadata as 1 and items as 2', () => {
  const lists = defs.filter((d) => d.gvk?.some((g) => g.kind.endsWith('List')));
  assert.ok(lists.length >= 20, `only ${lists.length} lists found`);
  for (const d of lists) assert.deepEqual(fields[d.name], { metadata: 1, items: 2 }, d.name);
});

test('kinds carry metadata as 1, then spec 2 and status 3 where they have them', () => {
  for (const d of defs.filter((x) => x.gvk && !x.gvk.some((g) => g.kind.endsWith('List')))) {
    const table = fields[d.name] ?? {};
    assert.equal(table.metadata, 1, `${d.name}.metadata`);
    if ('spec' in d.fields) assert.equal(table.spec, 2, `${d.name}.spec`);
    if ('status' in d.fields) assert.equal(table.status, 3, `${d.name}.status`);
  }
});

test('reference structs keep apiVersion and kind, which are real fields there', () => {
  assert.deepEqual(fields['io.k8s.api.autoscaling.v2.CrossVersionObjectReference'], { kind: 1, name: 2, apiVersion: 3 });
  assert.deepEqual(fields['io.k8s.api.rbac.v1.RoleRef'], { apiGroup: 1, kind: 2, name: 3 });
  // go-to-protobuf names this one aPIGroup; the table uses the JSON name.
  assert.equal(fields['io.k8s.api.networking.v1.IngressClassParametersReference']?.apiGroup, 1);
});

test('numbers out of declaration order match upstream generated.proto', () => {
  const expect: [string, string, number][] = [
    ['io.k8s.api.apps.v1.DeploymentSpec', 'progressDeadlineSeconds', 9],
    ['io.k8s.api.apps.v1.DeploymentStatus', 'readyReplicas', 7],
    ['io.k8s.api.apps.v1.DeploymentStatus', 'conditions', 6],
    ['io.k8s.api.apps.v1.DeploymentStatus', 'collisionCount', 8],
    ['io.k8s.api.apps.v1.DeploymentCondition', 'lastUpdateTime', 6],
    ['io.k8s.api.apps.v1.DeploymentCondition', 'lastTransitionTime', 7],
    ['io.k8s.api.apps.v1.DaemonSetSpec', 'revisionHistoryLimit', 6],
    ['io.k8s.api.apps.v1.ReplicaSetSpec', 'minReadySeconds', 4],
    ['io.k8s.api.apps.v1.ReplicaSetStatus', 'observedGeneration', 3],
    ['io.k8s.api.apps.v1.StatefulSetStatus', 'collisionCount', 9],
    ['io.k8s.api.batch.v1.CronJobSpec', 'timeZone', 8],
    ['io.k8s.api.batch.v1.CronJobStatus', 'lastScheduleTime', 4],
    ['io.k8s.api.batch.v1.JobSpec', 'podFailurePolicy', 11],
    ['io.k8s.api.batch.v1.JobSpec', 'successPolicy', 16],
    ['io.k8s.api.batch.v1.JobSpec', 'selector', 4],
    ['io.k8s.api.batch.v1.JobStatus', 'terminating', 11],
    ['io.k8s.api.batch.v1.JobStatus', 'failedIndexes', 10],
    ['io.k8s.api.autoscaling.v2.HPAScalingRules', 'stabilizationWindowSeconds', 3],
    ['io.k8s.api.autoscaling.v2.MetricSpec', 'containerResource', 7],
    ['io.k8s.api.autoscaling.v2.MetricStatus', 'containerResource', 7],
    ['io.k8s.api.networking.v1.HTTPIngressPath', 'pathType', 3],
    ['io.k8s.api.networking.v1.IngressBackend', 'service', 4],
    ['io.k8s.api.networking.v1.IngressSpec', 'ingressClassName', 4],
    ['io.k8s.api.networking.v1.IngressLoadBalancerIngress', 'ports', 4],
    ['io.k8s.api.discovery.v1.EndpointSlice', 'addressType', 4],
  ];
  for (const [name, field, n] of expect) assert.equal(fields[name]?.[field], n, `${name}.${field}`);
});

test('IngressRule.http is the member 1 of the inline IngressRuleValue at field 2', () => {
  assert.deepEqual(inlineMembers['io.k8s.api.networking.v1.IngressRule'], { http: [2, 1] });
  assert.equal(fields['io.k8s.api.networking.v1.IngressRule']?.http, undefined);
});
