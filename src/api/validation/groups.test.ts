import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.js';

const msgs = (errs: FieldError[]): string[] => errs.map((e) => e.message);
const ns = { name: 'x', namespace: 'default' };

test('namespace and PV/PVC', () => {
  const n: KObject = { metadata: { name: 'team-a' } };
  applyDefaults('', 'Namespace', n);
  assert.deepEqual(msgs(validateCreate('', 'Namespace', n)), []);
  const terminating: KObject = { ...structuredClone(n), status: { phase: 'Terminating' } };
  assert.deepEqual(msgs(validateStatusUpdate('', 'Namespace', terminating, n)), ["status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"]);
  const pvc: KObject = { metadata: ns, spec: { resources: {} } };
  applyDefaults('', 'PersistentVolumeClaim', pvc);
  assert.deepEqual(msgs(validateCreate('', 'PersistentVolumeClaim', pvc)), ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
  const pv: KObject = { metadata: { name: 'pv' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } };
  applyDefaults('', 'PersistentVolume', pv);
  assert.deepEqual(msgs(validateCreate('', 'PersistentVolume', pv)), ['spec: Required value: must specify a volume type']);
});

test('HPA replica bounds', () => {
  const hpa: KObject = { apiVersion: 'autoscaling/v2', metadata: ns, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 5, maxReplicas: 3 } };
  applyDefaults('autoscaling', 'HorizontalPodAutoscaler', hpa);
  assert.deepEqual(msgs(validateCreate('autoscaling', 'HorizontalPodAutoscaler', hpa)), ['spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`']);
  const zero: KObject = { apiVersion: 'autoscaling/v1', metadata: ns, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 0, maxReplicas: 3 } };
  assert.deepEqual(msgs(validateCreate('autoscaling', 'HorizontalPodAutoscaler', zero)), ['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1']);
});

test('ingress paths and backends', () => {
  const ing = (path: Record<string, unknown>): KObject => ({ metadata: ns, spec: { rules: [{ host: 'example.com', http: { paths: [path] } }] } });
  const backend = { service: { name: 'web', port: { number: 80 } } };
  assert.deepEqual(msgs(validateCreate('networking.k8s.io', 'Ingress', ing({ path: '/', pathType: 'Prefix', backend }))), []);
  assert.deepEqual(msgs(validateCreate('networking.k8s.io', 'Ingress', ing({ path: '/', backend }))), ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']);
  assert.deepEqual(msgs(validateCreate('networking.k8s.io', 'Ingress', ing({ path: '/', pathType: 'Regex', backend }))), ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"']);
  assert.deepEqual(msgs(validateCreate('networking.k8s.io', 'Ingress', ing({ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: {} } } }))), ['spec.rules[0].http.paths[0].backend: Required value: port name or number is required']);
  assert.deepEqual(msgs(validateCreate('networking.k8s.io', 'Ingress', { metadata: ns, spec: {} })), ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
});

test('rbac bindings', () => {
  const rb: KObject = { metadata: ns, roleRef: { kind: 'Role', name: 'reader' }, subjects: [{ kind: 'Robot', name: 'r2' }] };
  applyDefaults('rbac.authorization.k8s.io', 'RoleBinding', rb);
  assert.deepEqual(msgs(validateCreate('rbac.authorization.k8s.io', 'RoleBinding', rb)), ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"']);
  const crb: KObject = { metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] };
  assert.deepEqual(msgs(validateCreate('rbac.authorization.k8s.io', 'ClusterRoleBinding', crb)), ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value']);
  const old: KObject = { metadata: ns, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' } };
  const next: KObject = { metadata: ns, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'b' } };
  assert.deepEqual(msgs(validateUpdate('rbac.authorization.k8s.io', 'RoleBinding', next, old)), ['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef']);
  const role: KObject = { metadata: ns, rules: [{ apiGroups: [''], resources: ['pods'] }] };
  assert.deepEqual(msgs(validateCreate('rbac.authorization.k8s.io', 'Role', role)), ['rules[0].verbs: Required value: verbs must contain at least one value']);
});

test('PDB, PriorityClass, StorageClass, NetworkPolicy', () => {
  const pdb: KObject = { metadata: ns, spec: { minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { app: 'x' } } } };
  assert.match(msgs(validateCreate('policy', 'PodDisruptionBudget', pdb))[0]!, /^spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/);
  const pc: KObject = { metadata: { name: 'huge' }, value: 2000000000 };
  applyDefaults('scheduling.k8s.io', 'PriorityClass', pc);
  assert.deepEqual(msgs(validateCreate('scheduling.k8s.io', 'PriorityClass', pc)), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  const sys: KObject = { metadata: { name: 'system-mine' }, value: 5 };
  assert.deepEqual(msgs(validateCreate('scheduling.k8s.io', 'PriorityClass', sys)), ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"]);
  const sc: KObject = { metadata: { name: 'fast' } };
  applyDefaults('storage.k8s.io', 'StorageClass', sc);
  assert.deepEqual(msgs(validateCreate('storage.k8s.io', 'StorageClass', sc)), ['provisioner: Required value']);
  const np: KObject = { metadata: ns, spec: { podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 70 }] }] } };
  applyDefaults('networking.k8s.io', 'NetworkPolicy', np);
  assert.deepEqual(msgs(validateCreate('networking.k8s.io', 'NetworkPolicy', np)), ['spec.ingress[0].ports[0].endPort: Invalid value: 70: must be greater than or equal to `port`']);
});

test('events: involved object namespace must match', () => {
  const ev: KObject = { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } };
  assert.deepEqual(msgs(validateCreate('', 'Event', ev)), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
});

test('kinds without specific rules still get metadata validation', () => {
  assert.deepEqual(msgs(validateCreate('', 'ComponentStatus', { metadata: {} })), ['metadata.name: Required value: name or generateName is required']);
});
