import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { invalid } from '../errors.js';
import type { KObject } from '../types.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.js';

const msgs = (errs: FieldError[]): string[] => errs.map((e) => e.message);

function workload(kind: string, spec: Record<string, unknown>, labels: Record<string, string> | null = { app: 'web' }): KObject {
  const o: KObject = {
    apiVersion: 'apps/v1', kind, metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: labels ? { labels } : {}, spec: { containers: [{ name: 'web', image: 'nginx' }] } }, ...spec },
  };
  applyDefaults('apps', kind, o);
  return o;
}

test('valid defaulted workloads pass', () => {
  for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']) assert.deepEqual(msgs(validateCreate('apps', kind, workload(kind, {}))), [], kind);
});

test('negative replicas, as kubectl prints it', () => {
  const err = invalid('apps', 'Deployment', 'web', validateCreate('apps', 'Deployment', workload('Deployment', { replicas: -1 })));
  assert.equal(err.message, 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
});

test('selector required, non-empty and matching the template labels', () => {
  const noSelector = workload('Deployment', {});
  delete (noSelector.spec as Record<string, unknown>).selector;
  assert.deepEqual(msgs(validateCreate('apps', 'Deployment', noSelector)), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(msgs(validateCreate('apps', 'Deployment', workload('Deployment', {}, { app: 'x', tier: 'fe' }))), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x", "tier":"fe"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(msgs(validateCreate('apps', 'Deployment', workload('Deployment', { selector: {} }))), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  ]);
  assert.deepEqual(msgs(validateCreate('apps', 'ReplicaSet', workload('ReplicaSet', {}, null))), [
    'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
  ]);
});

test('workload templates must restart Always', () => {
  const d = workload('Deployment', {});
  ((d.spec as Record<string, Record<string, Record<string, unknown>>>).template!.spec!).restartPolicy = 'OnFailure';
  assert.deepEqual(msgs(validateCreate('apps', 'Deployment', d)), ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']);
});

test('rolling update bounds', () => {
  const d = workload('Deployment', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } });
  assert.deepEqual(msgs(validateCreate('apps', 'Deployment', d)), ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']);
  const pct = workload('Deployment', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '120%' } } });
  assert.deepEqual(msgs(validateCreate('apps', 'Deployment', pct)), ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 120%: must not be greater than 100%']);
  const bad = workload('Deployment', { strategy: { type: 'Blue' } });
  assert.deepEqual(msgs(validateCreate('apps', 'Deployment', bad)), ['spec.strategy: Unsupported value: "Blue": supported values: "Recreate", "RollingUpdate"']);
  const deadline = workload('Deployment', { minReadySeconds: 700 });
  assert.deepEqual(msgs(validateCreate('apps', 'Deployment', deadline)), ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds']);
  const ds = workload('DaemonSet', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } });
  assert.deepEqual(msgs(validateCreate('apps', 'DaemonSet', ds)), ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
});

test('selectors are immutable on update', () => {
  const old = workload('Deployment', {});
  const next = workload('Deployment', { selector: { matchLabels: { app: 'web2' } } }, { app: 'web2' });
  assert.deepEqual(msgs(validateUpdate('apps', 'Deployment', next, old)), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  const scaled = structuredClone(old);
  (scaled.spec as Record<string, unknown>).replicas = 5;
  assert.deepEqual(msgs(validateUpdate('apps', 'Deployment', scaled, old)), []);
});

test('statefulset spec updates are limited', () => {
  const old = workload('StatefulSet', { serviceName: 'web' });
  const next = structuredClone(old);
  (next.spec as Record<string, unknown>).serviceName = 'other';
  assert.deepEqual(msgs(validateUpdate('apps', 'StatefulSet', next, old)), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});

test('status ranges', () => {
  const old = workload('Deployment', {});
  const next = structuredClone(old);
  next.status = { replicas: 1, readyReplicas: 2 };
  assert.deepEqual(msgs(validateStatusUpdate('apps', 'Deployment', next, old)), ['status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas']);
});

test('replication controllers use a map selector', () => {
  const rc: KObject = { metadata: { name: 'rc', namespace: 'default' }, spec: { selector: { app: 'a' }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } };
  applyDefaults('', 'ReplicationController', rc);
  assert.deepEqual(msgs(validateCreate('', 'ReplicationController', rc)), ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`']);
});
