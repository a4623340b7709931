import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HASH_LABEL, type Deployment } from './util.js';
import { DEPLOYS, completeRollout, deployment, events, eventually, getDeployment, pods, replicaSets, rolloutStatus, setImage, withCluster } from './test-helpers.js';

const progressing = (d: Deployment) => d.status?.conditions?.find((c) => c.type === 'Progressing');

test('Recreate scales the old ReplicaSet to zero before the new one gets pods', async () => {
  await withCluster(async (c) => {
    await c.client.create(DEPLOYS, deployment('db', 2, 'db:1', { strategy: { type: 'Recreate' } }));
    const first = await completeRollout(c, 'db');
    const oldHash = (await pods(c, 'db'))[0]!.metadata.labels?.[HASH_LABEL];
    await setImage(c, 'db', 'db:2');
    // Never old and new pods at once.
    await eventually(async () => {
      const hashes = new Set((await pods(c, 'db')).map((p) => p.metadata.labels?.[HASH_LABEL]));
      assert.ok(hashes.size <= 1, 'old and new pods never coexist');
      return hashes.size === 1 && !hashes.has(oldHash) ? true : undefined;
    }, 'new pods');
    const done = await completeRollout(c, 'db');
    assert.ok((done.metadata.generation ?? 0) > (first.metadata.generation ?? 0));
    const sets = await replicaSets(c, 'db');
    assert.equal(sets.find((rs) => rs.metadata.labels?.[HASH_LABEL] === oldHash)?.spec.replicas, 0);
    assert.ok((await events(c, 'db')).some((e) => e.reason === 'ScalingReplicaSet' && e.message?.startsWith(`Scaled down replica set db-${oldHash} from 2 to 0`)));
  });
});

test('a paused Deployment does not roll out but scales proportionally; resuming rolls out', async () => {
  await withCluster(async (c) => {
    // 10 replicas, maxSurge 3, maxUnavailable 2, new pods never ready: the rollout stops at 8 old + 5 new.
    await c.client.create(DEPLOYS, deployment('big', 10, 'app:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await completeRollout(c, 'big');
    const oldHash = (await replicaSets(c, 'big'))[0]!.metadata.labels?.[HASH_LABEL];
    await setImage(c, 'big', 'app:2');
    const sizes = async (): Promise<[number, number]> => {
      const sets = await replicaSets(c, 'big');
      const old = sets.find((rs) => rs.metadata.labels?.[HASH_LABEL] === oldHash);
      const fresh = sets.find((rs) => rs.metadata.labels?.[HASH_LABEL] !== oldHash);
      return [old?.spec.replicas ?? -1, fresh?.spec.replicas ?? -1];
    };
    await eventually(async () => {
      const [o, n] = await sizes();
      return o === 8 && n === 5;
    }, 'stuck rollout at 8 old + 5 new');
    await c.client.patch(`${DEPLOYS}/big`, { spec: { paused: true } });
    await eventually(async () => progressing(await getDeployment(c, 'big'))?.reason === 'DeploymentPaused', 'paused condition');
    // Scaling 10 → 15 adds replicas+surge-current = 5, split by size: 3 to old, 2 to new.
    await c.client.patch(`${DEPLOYS}/big/scale`, { spec: { replicas: 15 } });
    await eventually(async () => {
      const [o, n] = await sizes();
      return o === 11 && n === 7;
    }, 'proportional scaling to 11 + 7');
    // A template change while paused makes no new ReplicaSet.
    await setImage(c, 'big', 'app:3');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await replicaSets(c, 'big')).length, 2);
    const paused = await getDeployment(c, 'big');
    assert.equal(progressing(paused)?.status, 'Unknown');
    assert.equal(progressing(paused)?.message, 'Deployment is paused');
    await c.client.patch(`${DEPLOYS}/big`, { spec: { paused: false } });
    await eventually(async () => (await replicaSets(c, 'big')).length === 3, 'rollout after resume');
    const resumed = await completeRollout(c, 'big');
    assert.equal(resumed.status?.updatedReplicas, 15);
  });
});

test('a rollout that makes no progress gets ProgressDeadlineExceeded', async () => {
  await withCluster(async (c) => {
    await c.client.create(DEPLOYS, deployment('stuck', 2, 'bad:1', { progressDeadlineSeconds: 2 }));
    const d = await eventually(async () => {
      const x = await getDeployment(c, 'stuck');
      return progressing(x)?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
    }, 'deadline exceeded', 15_000);
    const cond = progressing(d)!;
    assert.equal(cond.status, 'False');
    assert.match(cond.message ?? '', /^ReplicaSet "stuck-\w+" has timed out progressing\.$/);
    assert.equal(rolloutStatus(d)[0], 'deployment "stuck" exceeded its progress deadline');
    const available = d.status?.conditions?.find((x) => x.type === 'Available');
    assert.equal(available?.reason, 'MinimumReplicasUnavailable');
    assert.equal(available?.message, 'Deployment does not have minimum availability.');
    assert.equal(d.status?.unavailableReplicas, 2);
  });
});

test('a Deployment adopts a matching orphan ReplicaSet and releases one that stops matching', async () => {
  await withCluster(async (c) => {
    const template = { metadata: { labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } };
    await c.client.create('/apis/apps/v1/namespaces/default/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'manual', labels: { app: 'adopt' } }, spec: { replicas: 0, selector: { matchLabels: { app: 'adopt' } }, template } });
    const d = await c.client.create<Deployment>(DEPLOYS, deployment('adopt', 1, 'x:1'));
    await eventually(async () => {
      const sets = await replicaSets(c, 'adopt');
      const rs = sets[0];
      return sets.length === 1 && rs?.metadata.ownerReferences?.[0]?.uid === d.metadata.uid && rs.spec.replicas === 1 && rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '1';
    }, 'adopted and used as the new ReplicaSet');
    await c.client.patch('/apis/apps/v1/namespaces/default/replicasets/manual', { metadata: { labels: { app: 'elsewhere' } } });
    await eventually(async () => {
      const manual = await c.client.get<Deployment>('/apis/apps/v1/namespaces/default/replicasets/manual');
      const fresh = await replicaSets(c, 'adopt');
      return (manual.metadata.ownerReferences ?? []).length === 0 && fresh.length === 1 && fresh[0]!.metadata.name!.startsWith('adopt-');
    }, 'released, and a new ReplicaSet created');
  });
});
