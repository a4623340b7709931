// ServiceAccount defaulting, Priority and DefaultTolerationSeconds against the in-process server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../../test/support/cluster.js';
import type { TestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import type { PodSpec } from './types.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'adm' } });
});
after(async () => c.stop());

function pod(name: string, spec: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } };
}

async function createPod(p: KObject): Promise<PodSpec> {
  const created = await c.client.create('/api/v1/namespaces/adm/pods', p);
  return created.spec as PodSpec;
}

async function refusal(p: KObject): Promise<StatusError> {
  try {
    await c.client.create('/api/v1/namespaces/adm/pods', p);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  assert.fail('create succeeded');
}

test('pods run as the "default" service account unless they name an existing one', async () => {
  const spec = await createPod(pod('sa-default'));
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.serviceAccount, 'default');

  const e = await refusal(pod('sa-missing', { serviceAccountName: 'robot' }));
  assert.equal(e.code, 403);
  assert.equal(e.message, 'pods "sa-missing" is forbidden: error looking up service account adm/robot: serviceaccount "robot" not found');

  await c.client.create('/api/v1/namespaces/adm/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  const named = await createPod(pod('sa-named', { serviceAccount: 'robot' }));
  assert.equal(named.serviceAccountName, 'robot');
});

test('priority comes from the PriorityClass, the global default, or is 0', async () => {
  assert.equal((await createPod(pod('prio-none'))).priority, 0);
  const critical = await createPod(pod('prio-critical', { priorityClassName: 'system-cluster-critical' }));
  assert.equal(critical.priority, 2000000000);
  assert.equal(critical.preemptionPolicy, 'PreemptLowerPriority');

  const e = await refusal(pod('prio-unknown', { priorityClassName: 'foo' }));
  assert.equal(e.code, 403);
  assert.equal(e.message, 'pods "prio-unknown" is forbidden: no PriorityClass with name foo was found');

  await c.client.create('/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'batch' }, value: 500, globalDefault: true, preemptionPolicy: 'Never' });
  const defaulted = await createPod(pod('prio-default'));
  assert.equal(defaulted.priorityClassName, 'batch');
  assert.equal(defaulted.priority, 500);
  assert.equal(defaulted.preemptionPolicy, 'Never');

  const mismatch = await refusal(pod('prio-mismatch', { priorityClassName: 'batch', priority: 7 }));
  assert.equal(mismatch.message, 'pods "prio-mismatch" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 500 from the given PriorityClass name');

  try {
    await c.client.create('/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'second' }, value: 1, globalDefault: true });
    assert.fail('second default accepted');
  } catch (err) {
    assert.ok(err instanceof StatusError);
    assert.equal(err.message, 'priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass batch is already marked as default. Only one default can exist');
  }
  await c.client.delete('/apis/scheduling.k8s.io/v1/priorityclasses/batch');
});

test('pods tolerate not-ready and unreachable for 300 s unless they already do', async () => {
  const spec = await createPod(pod('tol-default'));
  assert.deepEqual(spec.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 };
  const mine = await createPod(pod('tol-own', { tolerations: [own] }));
  assert.deepEqual(mine.tolerations, [own, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
  const all = await createPod(pod('tol-all', { tolerations: [{ operator: 'Exists' }] }));
  assert.deepEqual(all.tolerations, [{ operator: 'Exists' }]);
});
