import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from './apps.js';
import { cronJobPrinter, jobPrinter } from './batch.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const meta = { name: 'web', creationTimestamp: '2024-05-01T10:00:00Z' };
const template = { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } };

test('deployment: READY UP-TO-DATE AVAILABLE AGE, wide CONTAINERS IMAGES SELECTOR', () => {
  assert.deepEqual(
    deploymentPrinter.columns.map((c) => `${c.name}:${c.priority}`),
    ['Name:0', 'Ready:0', 'Up-to-date:0', 'Available:0', 'Age:0', 'Containers:1', 'Images:1', 'Selector:1'],
  );
  const d = { metadata: meta, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  assert.deepEqual(deploymentPrinter.row(d, now), ['web', '2/3', 3, 2, '120m', 'app,log', 'nginx:1.27,busybox', 'app=web']);
  assert.equal(deploymentPrinter.row({ metadata: meta, spec: { template } }, now)[1], '0/0');
  assert.equal(deploymentPrinter.row({ metadata: meta, spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Bad' }] } } }, now)[7], '<invalid>');
});

test('replica sets, stateful sets and daemon sets', () => {
  const rs = { metadata: meta, spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template }, status: { replicas: 2, readyReplicas: 1 } };
  assert.deepEqual(replicaSetPrinter.row(rs, now), ['web', 2, 2, 1, '120m', 'app,log', 'nginx:1.27,busybox', 'app=web,pod-template-hash=abc']);
  assert.deepEqual(statefulSetPrinter.row({ metadata: meta, spec: { replicas: 3, template }, status: { readyReplicas: 3 } }, now), ['web', '3/3', '120m', 'app,log', 'nginx:1.27,busybox']);
  const ds = {
    metadata: meta,
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
  };
  assert.deepEqual(daemonSetPrinter.row(ds, now), ['web', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '120m', 'app,log', 'nginx:1.27,busybox', 'app=agent']);
  assert.equal(daemonSetPrinter.row({ metadata: meta, spec: {} }, now)[6], '<none>');
});

test('controller revisions name their controller as kind.group/name', () => {
  const cr = { metadata: { ...meta, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }] }, revision: 4 };
  assert.deepEqual(controllerRevisionPrinter.row(cr, now), ['web', 'statefulset.apps/db', 4, '120m']);
  assert.equal(controllerRevisionPrinter.row({ metadata: meta, revision: 1 }, now)[1], '<none>');
});

test('jobs: status, completions and duration', () => {
  const job = (spec: Record<string, unknown>, status: Record<string, unknown>, extraMeta: Record<string, unknown> = {}): Record<string, unknown> & { metadata: Record<string, unknown> } => ({ metadata: { ...meta, ...extraMeta }, spec: { template, ...spec }, status });
  assert.deepEqual(jobPrinter.columns.map((c) => c.name).slice(0, 5), ['Name', 'Status', 'Completions', 'Duration', 'Age']);
  const done = job({ completions: 1 }, { succeeded: 1, startTime: '2024-05-01T10:00:00Z', completionTime: '2024-05-01T10:00:42Z', conditions: [{ type: 'Complete', status: 'True' }] });
  assert.deepEqual(jobPrinter.row(done, now).slice(0, 5), ['web', 'Complete', '1/1', '42s', '120m']);
  assert.deepEqual(jobPrinter.row(job({ parallelism: 3 }, { startTime: '2024-05-01T11:55:00Z' }), now).slice(1, 4), ['Running', '0/1 of 3', '5m']);
  assert.deepEqual(jobPrinter.row(job({}, {}), now).slice(1, 4), ['Running', '0/1', '']);
  assert.equal(jobPrinter.row(job({}, { conditions: [{ type: 'Failed', status: 'True' }] }), now)[1], 'Failed');
  assert.equal(jobPrinter.row(job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }), now)[1], 'Suspended');
  assert.equal(jobPrinter.row(job({}, {}, { deletionTimestamp: '2024-05-01T11:59:00Z' }), now)[1], 'Terminating');
  assert.equal(jobPrinter.row(job({}, {}), now)[7], '<none>');
});

test('cron jobs: schedule, timezone, suspend, active and last schedule', () => {
  assert.deepEqual(cronJobPrinter.columns.map((c) => c.name).slice(0, 7), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age']);
  const cj = { metadata: meta, spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template } } }, status: { active: [{ name: 'web-1' }], lastScheduleTime: '2024-05-01T11:55:00Z' } };
  assert.deepEqual(cronJobPrinter.row(cj, now), ['web', '*/5 * * * *', '<none>', 'False', 1, '5m', '120m', 'app,log', 'nginx:1.27,busybox', '<none>']);
  const tz = { metadata: meta, spec: { schedule: '@daily', timeZone: 'Europe/Paris', suspend: true } };
  assert.deepEqual(cronJobPrinter.row(tz, now).slice(1, 6), ['@daily', 'Europe/Paris', 'True', 0, '<none>']);
});
