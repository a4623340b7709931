import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until, type TestCluster } from '../../test/support/cluster.js';
import type { KObject, OwnerReference } from '../api/types.js';
import { disruptionController } from './disruption.js';

const NS = '/api/v1/namespaces/default';
const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';

type Pdb = KObject & { status?: { expectedPods: number; currentHealthy: number; desiredHealthy: number; disruptionsAllowed: number; observedGeneration?: number; conditions?: { type: string; status: string; reason: string }[] } };

async function ready(c: TestCluster, name: string, isReady: boolean): Promise<void> {
  await c.client.patch(`${NS}/pods/${name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }] } });
}

async function status(c: TestCluster, name: string, want: Partial<NonNullable<Pdb['status']>> & { reason?: string }): Promise<Pdb> {
  const pdb = await until(async () => {
    const p = await c.client.get<Pdb>(`${PDBS}/${name}`);
    const s = p.status;
    if (!s) return undefined;
    for (const [k, v] of Object.entries(want)) {
      if (k === 'reason') {
        if (s.conditions?.find((x) => x.type === 'DisruptionAllowed')?.reason !== v) return undefined;
      } else if (s[k as keyof typeof s] !== v) return undefined;
    }
    return p;
  }, 10_000, `pdb ${name} status ${JSON.stringify(want)}`);
  return pdb!;
}

test('PodDisruptionBudget status for minAvailable and maxUnavailable (percent of the Deployment scale)', async () => {
  const c = await startTestCluster();
  try {
    const ctx = c.context();
    void disruptionController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    const template = { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    const deploy = await c.client.create<KObject>('/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db' }, spec: { replicas: 4, selector: { matchLabels: { app: 'db' } }, template } });
    const ownerRef = (o: KObject): OwnerReference => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid!, controller: true });
    const rs = await c.client.create<KObject>('/apis/apps/v1/namespaces/default/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'db-1', ownerReferences: [ownerRef(deploy)] }, spec: { replicas: 4, selector: { matchLabels: { app: 'db' } }, template } });
    for (const n of ['db-a', 'db-b', 'db-c']) {
      await c.client.create(`${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: n, labels: { app: 'db' }, ownerReferences: [ownerRef(rs)] }, spec: template.spec });
    }
    await ready(c, 'db-a', true);
    await ready(c, 'db-b', true);
    await c.client.create(PDBS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'min' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'db' } } } });
    await c.client.create(PDBS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'max' }, spec: { maxUnavailable: '50%', selector: { matchLabels: { app: 'db' } } } });
    const min = await status(c, 'min', { expectedPods: 3, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0, reason: 'InsufficientPods' });
    assert.equal(min.status!.observedGeneration, min.metadata.generation);
    // Deployment scale 4, 50% unavailable → 2 must stay healthy.
    await status(c, 'max', { expectedPods: 4, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 });
    await ready(c, 'db-c', true);
    await status(c, 'min', { currentHealthy: 3, disruptionsAllowed: 1, reason: 'SufficientPods' });
    await status(c, 'max', { currentHealthy: 3, disruptionsAllowed: 1, reason: 'SufficientPods' });
  } finally {
    await c.stop();
  }
});
