// Checks the meta/v1 and core/v1 protobuf tables against the schema DSL (every struct and field has a
// number, nothing stale is listed, numbers are valid and unique within a message, the out-of-order
// upstream numbers are right), and the JSON-shape facts against the whole registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StructDef } from '../schema/dsl.js';
import { schemas } from '../schema/index.js';
import * as meta from '../schema/meta.js';
import * as corePod from '../schema/core-pod.js';
import * as core from '../schema/core.js';
import * as metaTables from './fields-meta.js';
import * as coreTables from './fields-core.js';
import { nullWhenAbsent, omitEmpty } from './json-shape.js';

/** version.Info is served as JSON only; upstream has no protobuf message for it. */
const JSON_ONLY = new Set(['io.k8s.apimachinery.pkg.version.Info']);

const suites = [
  { file: 'fields-meta.ts', defs: meta.defs.filter((d) => !JSON_ONLY.has(d.name)), tables: metaTables },
  { file: 'fields-core.ts', defs: [...corePod.defs, ...core.defs], tables: coreTables },
];

/** apiVersion and kind of a served kind travel in the runtime.Unknown envelope, not the message. */
const isTypeMeta = (d: StructDef, field: string): boolean => d.gvk !== undefined && (field === 'apiVersion' || field === 'kind');

const MAX_FIELD = 2 ** 29 - 1;
const validNumber = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= MAX_FIELD && !(n >= 19000 && n <= 19999);

for (const { file, defs, tables } of suites) {
  test(`${file}: every struct and every field has a number`, () => {
    const missing: string[] = [];
    for (const d of defs) {
      const numbers = tables.fields[d.name];
      const inline = tables.inlineMembers[d.name] ?? {};
      if (!numbers) {
        missing.push(d.name);
        continue;
      }
      for (const f of Object.keys(d.fields)) {
        if (!isTypeMeta(d, f) && numbers[f] === undefined && inline[f] === undefined) missing.push(`${d.name}.${f}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test(`${file}: nothing stale, numbers valid and unique within each message`, () => {
    const names = new Set(defs.map((d) => d.name));
    const problems: string[] = [];
    for (const [name, numbers] of Object.entries(tables.fields)) {
      const d = schemas.get(name);
      if (!d || !names.has(name)) {
        problems.push(`table for unknown struct ${name}`);
        continue;
      }
      const inline = tables.inlineMembers[name] ?? {};
      const wrappers = new Set(Object.values(inline).map(([w]) => w));
      const seen = new Map<number, string>();
      for (const [field, n] of Object.entries(numbers)) {
        if (!(field in d.fields)) problems.push(`${name}.${field}: no such field`);
        if (field in inline) problems.push(`${name}.${field}: both numbered and inline`);
        if (!validNumber(n)) problems.push(`${name}.${field}: invalid number ${n}`);
        if (seen.has(n)) problems.push(`${name}: ${n} used by ${seen.get(n)} and ${field}`);
        if (wrappers.has(n)) problems.push(`${name}: ${n} is both ${field} and an inline wrapper`);
        seen.set(n, field);
      }
      const members = new Map<string, string>();
      for (const [field, [wrapper, member]] of Object.entries(inline)) {
        if (!(field in d.fields)) problems.push(`${name}.${field}: no such field (inline)`);
        if (!validNumber(wrapper) || !validNumber(member)) problems.push(`${name}.${field}: invalid inline numbers`);
        const k = `${wrapper}/${member}`;
        if (members.has(k)) problems.push(`${name}: inline ${k} used by ${members.get(k)} and ${field}`);
        members.set(k, field);
      }
    }
    for (const name of Object.keys(tables.inlineMembers)) if (!tables.fields[name]) problems.push(`inline members for untabled ${name}`);
    assert.deepEqual(problems, []);
  });
}

test('numbers that break declaration order match upstream', () => {
  const m = metaTables.fields;
  const c = coreTables.fields;
  assert.equal(m['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!.managedFields, 17);
  assert.equal(m['io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference']!.apiVersion, 5);
  assert.equal(m['io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails']!.uid, 6);
  assert.equal(c['io.k8s.api.core.v1.PodSpec']!.initContainers, 20);
  assert.equal(c['io.k8s.api.core.v1.PodSpec']!.automountServiceAccountToken, 21);
  assert.equal(c['io.k8s.api.core.v1.Container']!.envFrom, 19);
  assert.equal(c['io.k8s.api.core.v1.Container']!.restartPolicy, 24);
  assert.equal(c['io.k8s.api.core.v1.Secret']!.immutable, 5);
  assert.equal(c['io.k8s.api.core.v1.ConfigMap']!.immutable, 4);
  assert.equal(c['io.k8s.api.core.v1.ServicePort']!.appProtocol, 6);
  assert.deepEqual(coreTables.inlineMembers['io.k8s.api.core.v1.Probe']!.httpGet, [1, 2]);
  assert.deepEqual(coreTables.inlineMembers['io.k8s.api.core.v1.Volume']!.csi, [2, 28]);
  assert.deepEqual(coreTables.inlineMembers['io.k8s.api.core.v1.PersistentVolumeSpec']!.csi, [2, 22]);
  assert.deepEqual(coreTables.inlineMembers['io.k8s.api.core.v1.EphemeralContainer']!.name, [1, 1]);
  assert.deepEqual(metaTables.inlineMembers['io.k8s.apimachinery.pkg.apis.meta.v1.APIResource']!.verbs, [4, 1]);
});

test('json-shape.ts names real struct fields of the right kinds', () => {
  const problems: string[] = [];
  const check = (table: Record<string, readonly string[]>, label: string, ok: (type: string) => boolean) => {
    for (const [name, list] of Object.entries(table)) {
      const d = schemas.get(name);
      if (!d) {
        problems.push(`${label}: unknown struct ${name}`);
        continue;
      }
      for (const f of list) {
        const s = d.fields[f]?.schema;
        if (!s) problems.push(`${label}: ${name}.${f}: no such field`);
        else if (!ok(s.type)) problems.push(`${label}: ${name}.${f} is a ${s.type}`);
      }
    }
  };
  // Go drops only the zero value of scalars; structs (even omitempty ones) are always encoded.
  check(omitEmpty, 'omitEmpty', (t) => ['string', 'integer', 'number', 'boolean'].includes(t));
  // nil slices, maps and pointers; the pointer may be to a scalar (*string apiGroup) or a struct.
  check(nullWhenAbsent, 'nullWhenAbsent', (t) => ['array', 'map', 'ref', 'string', 'integer', 'boolean', 'quantity', 'int-or-string'].includes(t));
  for (const [name, list] of Object.entries(nullWhenAbsent)) {
    for (const f of list) if (omitEmpty[name]?.includes(f)) problems.push(`${name}.${f} is both omitted and null`);
  }
  assert.deepEqual(problems, []);
  // The facts the kubectl fixtures depend on, spelled out.
  assert.ok(omitEmpty['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!.includes('generateName'));
  assert.ok(omitEmpty['io.k8s.api.apps.v1.DeploymentStrategy']!.includes('type'));
  assert.ok(!omitEmpty['io.k8s.api.core.v1.ContainerPort']!.includes('containerPort'));
  assert.equal(omitEmpty['io.k8s.api.apps.v1.DeploymentSpec']!.includes('replicas'), false);
  assert.deepEqual(nullWhenAbsent['io.k8s.api.rbac.v1.ClusterRole'], ['rules']);
});
