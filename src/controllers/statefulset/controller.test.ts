import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../../test/support/cluster.js';
import type { TestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { statefulSetController } from './controller.js';
import type { StatefulPod, StatefulSet } from './identity.js';

const PODS = '/api/v1/namespaces/default/pods';
const STS = '/apis/apps/v1/namespaces/default/statefulsets';
const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';

async function getPod(c: TestCluster, name: string): Promise<StatefulPod | undefined> {
  try {
    return await c.client.get<StatefulPod>(`${PODS}/${name}`);
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw e;
  }
}

async function markReady(c: TestCluster, name: string): Promise<void> {
  const now = new Date().toISOString();
  await c.client.patch(`${PODS}/${name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } });
}

/** Plays the kubelet for every pod of the set: Running and Ready shortly after creation. */
function fakeKubelet(c: TestCluster, signal: AbortSignal): Promise<void> {
  return (async () => {
    while (!signal.aborted) {
      const list = await c.client.list<StatefulPod>(`${PODS}?labelSelector=app%3Ddb`).catch(() => ({ items: [] as StatefulPod[] }));
      for (const p of list.items) {
        if (p.status?.phase !== 'Running' && !p.metadata.deletionTimestamp) await markReady(c, p.metadata.name!).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
}

const sts: KObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db' },
  spec: {
    replicas: 3,
    serviceName: 'db',
    selector: { matchLabels: { app: 'db' } },
    persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete', whenDeleted: 'Retain' },
    template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
};

test('StatefulSet: ordered creation, claims, rolling update with partition, ordered scale-down', async () => {
  const c = await startTestCluster();
  const watching = new AbortController();
  const kubelet = new AbortController();
  let kubeletDone: Promise<void> | undefined;
  const added: string[] = [];
  const deleted: string[] = [];
  try {
    const ctx = c.context();
    void statefulSetController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    void c.client.watch<StatefulPod>(`${PODS}?labelSelector=app%3Ddb`, (e) => {
      if (e.type === 'ADDED') added.push(e.object.metadata.name!);
      if (e.type === 'DELETED') deleted.push(e.object.metadata.name!);
    }, watching.signal);
    await c.client.create(STS, sts);

    // db-0 first, with its claim; db-1 waits for db-0 to be Running and Ready.
    const db0 = (await until(() => getPod(c, 'db-0'), 10_000, 'db-0'))!;
    assert.equal(db0.spec?.hostname, 'db-0');
    assert.equal(db0.spec?.subdomain, 'db');
    assert.equal(db0.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'db-0');
    assert.equal(db0.metadata.labels?.['apps.kubernetes.io/pod-index'], '0');
    assert.deepEqual(db0.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim, { claimName: 'data-db-0' });
    const pvc = await c.client.get<KObject>(`${PVCS}/data-db-0`);
    assert.equal(pvc.metadata.labels?.app, 'db');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await getPod(c, 'db-1'), undefined, 'db-1 must wait for db-0');
    await markReady(c, 'db-0');
    await until(() => getPod(c, 'db-1'), 10_000, 'db-1');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await getPod(c, 'db-2'), undefined, 'db-2 must wait for db-1');
    await markReady(c, 'db-1');
    await until(() => getPod(c, 'db-2'), 10_000, 'db-2');
    await markReady(c, 'db-2');
    assert.deepEqual(added, ['db-0', 'db-1', 'db-2']);

    const ready = await until(async () => {
      const s = await c.client.get<StatefulSet>(`${STS}/db`);
      return s.status?.readyReplicas === 3 && s.status.currentReplicas === 3 && s.status.updatedReplicas === 3 ? s : undefined;
    }, 10_000, 'status');
    const rev1 = ready!.status!.currentRevision!;
    assert.equal(ready!.status!.updateRevision, rev1);
    assert.match(rev1, /^db-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(ready!.status!.observedGeneration, 1);
    assert.equal((await c.client.get<StatefulPod>(`${PODS}/db-1`)).metadata.labels?.['controller-revision-hash'], rev1);
    await ctx.recorder.flush();
    const events = (await c.client.list<KObject & { reason: string; message: string }>('/api/v1/namespaces/default/events')).items;
    assert.ok(events.some((e) => e.reason === 'SuccessfulCreate' && e.message === 'create Pod db-0 in StatefulSet db successful'));
    assert.ok(events.some((e) => e.reason === 'SuccessfulCreate' && e.message === 'create Claim data-db-1 Pod db-1 in StatefulSet db success'));

    // Rolling update with partition 1: db-2, then db-1; db-0 keeps the old revision.
    kubeletDone = fakeKubelet(c, kubelet.signal);
    // A merge patch (no resourceVersion): the controller writes status concurrently.
    await c.client.patch(`${STS}/db`, { spec: { template: { spec: { containers: [{ name: 'db', image: 'postgres:17' }] } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } } }, 'merge');
    const rolled = await until(async () => {
      const s = await c.client.get<StatefulSet>(`${STS}/db`);
      return s.status?.updatedReplicas === 2 && s.status.readyReplicas === 3 && s.status.currentReplicas === 1 ? s : undefined;
    }, 15_000, 'partitioned rollout');
    const rev2 = rolled!.status!.updateRevision!;
    assert.notEqual(rev2, rev1);
    assert.equal(rolled!.status!.currentRevision, rev1);
    assert.deepEqual(deleted, ['db-2', 'db-1']);
    const revOf = async (n: string) => (await c.client.get<StatefulPod>(`${PODS}/${n}`)).metadata.labels?.['controller-revision-hash'];
    assert.deepEqual([await revOf('db-0'), await revOf('db-1'), await revOf('db-2')], [rev1, rev2, rev2]);

    // Scale down: highest ordinal first; with whenScaled=Delete the claims pass to their pods.
    deleted.length = 0;
    await c.client.patch(`${STS}/db`, { spec: { replicas: 1 } });
    await until(async () => (await c.client.list(`${PODS}?labelSelector=app%3Ddb`)).items.length === 1, 10_000, 'scale down');
    assert.deepEqual(deleted, ['db-2', 'db-1']);
    for (const n of [1, 2]) {
      const claim = await c.client.get<KObject>(`${PVCS}/data-db-${n}`);
      assert.equal(claim.metadata.ownerReferences?.[0]?.kind, 'Pod');
      assert.equal(claim.metadata.ownerReferences?.[0]?.name, `db-${n}`);
    }
    assert.equal((await c.client.get<KObject>(`${PVCS}/data-db-0`)).metadata.ownerReferences, undefined);
    const revisions = await c.client.list<KObject>('/apis/apps/v1/namespaces/default/controllerrevisions');
    assert.deepEqual(revisions.items.map((r) => r.metadata.name).sort(), [rev1, rev2].sort());
  } finally {
    watching.abort();
    kubelet.abort();
    await kubeletDone;
    await c.stop();
  }
});

test('StatefulSet: Parallel creates every pod at once; OnDelete waits for deletions; ordinals.start', async () => {
  const c = await startTestCluster();
  try {
    const ctx = c.context();
    void statefulSetController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    await c.client.create(STS, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        serviceName: 'web',
        podManagementPolicy: 'Parallel',
        ordinals: { start: 5 },
        updateStrategy: { type: 'OnDelete' },
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'w', image: 'nginx:1' }] } },
      },
    });
    const names = async () => (await c.client.list(`${PODS}?labelSelector=app%3Dweb`)).items.map((p) => p.metadata.name).sort();
    await until(async () => (await names()).length === 3, 10_000, 'parallel creation without readiness');
    assert.deepEqual(await names(), ['web-5', 'web-6', 'web-7']);

    // A merge patch (no resourceVersion): the controller writes status concurrently.
    await c.client.patch(`${STS}/web`, { spec: { template: { spec: { containers: [{ name: 'w', image: 'nginx:2' }] } } } }, 'merge');
    const s = await until(async () => {
      const x = await c.client.get<StatefulSet>(`${STS}/web`);
      return x.status?.updateRevision && x.status.updateRevision !== x.status.currentRevision ? x : undefined;
    }, 10_000, 'new update revision');
    await new Promise((r) => setTimeout(r, 300));
    const image = async (n: string) => ((await c.client.get<StatefulPod>(`${PODS}/${n}`)).spec?.containers as { image: string }[])[0]!.image;
    assert.equal(await image('web-6'), 'nginx:1', 'OnDelete leaves running pods alone');
    await c.client.delete(`${PODS}/web-6`);
    await until(async () => (await getPod(c, 'web-6'))?.metadata.labels?.['controller-revision-hash'] === s!.status!.updateRevision, 10_000, 'recreated at the update revision');
    assert.equal(await image('web-6'), 'nginx:2');
  } finally {
    await c.stop();
  }
});
