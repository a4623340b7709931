import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from './node-fit.js';
import { computeStatus, planManage, planRollingUpdate, podsByNode } from './plan.js';
import type { DaemonPod, DaemonSet } from './types.js';

const nodes: Node[] = ['n1', 'n2', 'n3'].map((name) => ({ metadata: { name } }));
const pod = (name: string, node: string, hash: string, ready: boolean, created = '2024-01-01T00:00:00Z'): DaemonPod => ({
  metadata: { name, creationTimestamp: created, labels: { 'controller-revision-hash': hash } },
  spec: { nodeName: node },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const ds = (rollingUpdate: Record<string, unknown>): DaemonSet => ({ metadata: { name: 'd' }, spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate } } });

test('maxUnavailable bounds how many old pods go at once; unavailable old pods go at once', () => {
  const pods = [pod('a', 'n1', 'old', true), pod('b', 'n2', 'old', true), pod('c', 'n3', 'old', false)];
  const plan = planRollingUpdate(ds({ maxUnavailable: 1, maxSurge: 0 }), nodes, podsByNode(pods, false), 'new', Date.now());
  assert.deepEqual(plan.podsToDelete, ['c']);
  const plan2 = planRollingUpdate(ds({ maxUnavailable: '100%', maxSurge: 0 }), nodes, podsByNode(pods, false), 'new', Date.now());
  assert.deepEqual(plan2.podsToDelete.sort(), ['a', 'b', 'c']);
});

test('maxSurge creates new pods beside available old ones, and removes old ones once new are available', () => {
  const pods = [pod('a', 'n1', 'old', true), pod('b', 'n2', 'old', true), pod('c', 'n3', 'old', true)];
  const plan = planRollingUpdate(ds({ maxUnavailable: 0, maxSurge: 1 }), nodes, podsByNode(pods, false), 'new', Date.now());
  assert.equal(plan.nodesNeedingPods.length, 1);
  assert.deepEqual(plan.podsToDelete, []);
  const surged = [...pods, pod('a2', 'n1', 'new', true, '2024-01-01T00:01:00Z')];
  const plan2 = planRollingUpdate(ds({ maxUnavailable: 0, maxSurge: 1 }), nodes, podsByNode(surged, false), 'new', Date.now());
  assert.deepEqual(plan2.podsToDelete, ['a']);
  assert.equal(plan2.nodesNeedingPods.length, 1, 'the budget frees up as the new pod is available');
});

test('manage keeps the oldest of duplicate pods and deletes failed ones with an event', () => {
  const pods = [pod('a', 'n1', 'h', true, '2024-01-01T00:00:00Z'), pod('b', 'n1', 'h', true, '2024-01-01T00:00:01Z'), { ...pod('c', 'n2', 'h', false), status: { phase: 'Failed' } }];
  const plan = planManage(ds({ maxUnavailable: 1, maxSurge: 0 }), nodes, podsByNode(pods, false), 'h', Date.now());
  assert.deepEqual(plan.podsToDelete.sort(), ['b', 'c']);
  assert.deepEqual(plan.nodesNeedingPods, ['n3']);
  assert.equal(plan.events[0]?.reason, 'FailedDaemonPod');
  const st = computeStatus(ds({}), nodes, podsByNode(pods, false), 'h', Date.now());
  assert.deepEqual(st, { desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 0, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1, numberUnavailable: 2 });
});
