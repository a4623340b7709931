// The eviction subresource against PodDisruptionBudgets whose status the test writes itself (the
// disruption controller is not running here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../../test/support/cluster.js';
import type { TestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';

let c: TestCluster;
const NS = '/api/v1/namespaces/ev';
const PDBS = '/apis/policy/v1/namespaces/ev/poddisruptionbudgets';

before(async () => {
  c = await startTestCluster();
  await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ev' } });
});
after(async () => c.stop());

/** A pod in phase `phase`, Ready or not. */
async function runningPod(name: string, labels: Record<string, string>, phase = 'Running', ready = true): Promise<void> {
  const p = await c.client.create(`${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const conditions = [{ type: 'Ready', status: ready ? 'True' : 'False' }];
  await c.client.update(`${NS}/pods/${name}/status`, { ...p, status: { phase, conditions } });
}

async function pdb(name: string, selector: Record<string, unknown>, status: Record<string, unknown>, spec: Record<string, unknown> = {}): Promise<void> {
  const created = await c.client.create(PDBS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { minAvailable: 1, selector, ...spec } });
  await c.client.update(`${PDBS}/${name}/status`, { ...created, status: { observedGeneration: created.metadata.generation, ...status } });
}

function evict(name: string): Promise<unknown> {
  return c.client.create(`${NS}/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'ev' } });
}

async function gone(name: string): Promise<boolean> {
  try {
    await c.client.get(`${NS}/pods/${name}`);
    return false;
  } catch (e) {
    return e instanceof StatusError && e.code === 404;
  }
}

test('a budget with no disruptions left answers 429 with the budget as the cause', async () => {
  await runningPod('web-0', { app: 'web' });
  await pdb('web', { matchLabels: { app: 'web' } }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 });
  try {
    await evict('web-0');
    assert.fail('eviction allowed');
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 429);
    assert.equal(e.reason, 'TooManyRequests');
    assert.equal(e.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(e.details?.causes, [{ type: 'DisruptionBudget', message: 'The disruption budget web needs 1 healthy pods and has 1 currently' }]);
  }
  assert.equal(await gone('web-0'), false);
});

test('an allowed disruption is taken from the budget and the pod deleted', async () => {
  await runningPod('api-0', { app: 'api' });
  await pdb('api', { matchLabels: { app: 'api' } }, { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 });
  const reply = (await evict('api-0')) as { status?: string };
  assert.equal(reply.status, 'Success');
  assert.equal(await gone('api-0'), true);
  const budget = await c.client.get(`${PDBS}/api`);
  const st = budget.status as { disruptionsAllowed: number; disruptedPods?: Record<string, string>; conditions?: { type: string; status: string; reason: string }[] };
  assert.equal(st.disruptionsAllowed, 0);
  assert.ok(st.disruptedPods?.['api-0']);
  assert.equal(st.conditions?.find((x) => x.type === 'DisruptionAllowed')?.reason, 'InsufficientPods');
});

test('pending pods, and unhealthy pods under AlwaysAllow, go without taking from the budget', async () => {
  await runningPod('db-0', { app: 'db' }, 'Pending', false);
  await runningPod('db-1', { app: 'db' }, 'Running', false);
  await pdb('db', { matchLabels: { app: 'db' } }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1 }, { unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  await evict('db-0');
  await evict('db-1');
  assert.equal(await gone('db-0'), true);
  assert.equal(await gone('db-1'), true);
  const budget: KObject = await c.client.get(`${PDBS}/db`);
  assert.equal((budget.status as { disruptionsAllowed: number }).disruptionsAllowed, 0);
});

test('two budgets for one pod are refused with a 500, as upstream', async () => {
  await runningPod('multi-0', { app: 'multi', tier: 'x' });
  await pdb('multi-a', { matchLabels: { app: 'multi' } }, { disruptionsAllowed: 1 });
  await pdb('multi-b', { matchLabels: { tier: 'x' } }, { disruptionsAllowed: 1 });
  try {
    await evict('multi-0');
    assert.fail('eviction allowed');
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 500);
    assert.equal(e.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  assert.equal(await gone('multi-0'), false);
});
