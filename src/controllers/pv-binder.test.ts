import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until, type TestCluster } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { persistentVolumeBinderController } from './pv-binder.js';
import type { PV, PVC } from './util/volume-match.js';

const PVS = '/api/v1/persistentvolumes';
const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';

function pv(name: string, size: string, o: { cls?: string; modes?: string[]; labels?: Record<string, string>; reclaim?: string; node?: string; claim?: string } = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: o.labels },
    spec: {
      capacity: { storage: size },
      accessModes: o.modes ?? ['ReadWriteOnce'],
      storageClassName: o.cls,
      persistentVolumeReclaimPolicy: o.reclaim ?? 'Retain',
      hostPath: { path: `/tmp/${name}` },
      claimRef: o.claim ? { namespace: 'default', name: o.claim } : undefined,
      nodeAffinity: o.node ? { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node] }] }] } } : undefined,
    },
  };
}

function pvc(name: string, size: string, o: { cls?: string; modes?: string[]; volumeName?: string; selector?: object } = {}): object {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: o.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: o.cls, volumeName: o.volumeName, selector: o.selector } };
}

async function boundTo(c: TestCluster, claim: string): Promise<string> {
  const name = await until(async () => {
    const p = await c.client.get<PVC>(`${PVCS}/${claim}`);
    return p.status?.phase === 'Bound' ? p.spec!.volumeName! : undefined;
  }, 10_000, `${claim} bound`);
  return name!;
}

async function events(c: TestCluster, name: string): Promise<string[]> {
  const list = await c.client.list<KObject & { reason?: string; message?: string; involvedObject?: { name?: string } }>('/api/v1/namespaces/default/events');
  return list.items.filter((e) => e.involvedObject?.name === name).map((e) => `${e.reason}: ${e.message}`);
}

async function deleteClaim(c: TestCluster, name: string): Promise<void> {
  await c.client.delete(`${PVCS}/${name}`);
  // Without the pvc-protection controller running, drop its finalizer by hand.
  try {
    await c.client.patch(`${PVCS}/${name}`, { metadata: { finalizers: null } });
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
  }
}

test('static binding, provisioning hook, WaitForFirstConsumer, release and reclaim', async () => {
  const c = await startTestCluster();
  try {
    const ctx = c.context();
    const recorder = ctx.recorder;
    void persistentVolumeBinderController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    await c.client.create(PVS, pv('pv-1g', '1Gi'));
    await c.client.create(PVS, pv('pv-5g', '5Gi', { reclaim: 'Delete' }));
    await c.client.create(PVS, pv('pv-rwx', '1Gi', { modes: ['ReadWriteOnce', 'ReadWriteMany'] }));
    await c.client.create(PVS, pv('pv-fast', '2Gi', { cls: 'fast', labels: { tier: 'gold' } }));
    await c.client.create(PVS, pv('pv-named', '1Gi'));
    await until(async () => (await c.client.get<PV>(`${PVS}/pv-1g`)).status?.phase === 'Available', 10_000, 'Available');

    await c.client.create(PVCS, pvc('small', '500Mi'));
    assert.equal(await boundTo(c, 'small'), 'pv-1g', 'smallest fitting volume, fewest access modes');
    const claim = await c.client.get<PVC>(`${PVCS}/small`);
    assert.equal(claim.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(claim.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(claim.status?.capacity, { storage: '1Gi' });
    const vol = await c.client.get<PV>(`${PVS}/pv-1g`);
    assert.equal(vol.status?.phase, 'Bound');
    assert.equal(vol.spec?.claimRef?.uid, claim.metadata.uid);

    await c.client.create(PVCS, pvc('big', '3Gi'));
    assert.equal(await boundTo(c, 'big'), 'pv-5g');
    await c.client.create(PVCS, pvc('gold', '1Gi', { cls: 'fast', selector: { matchLabels: { tier: 'gold' } } }));
    assert.equal(await boundTo(c, 'gold'), 'pv-fast');
    await c.client.create(PVCS, pvc('named', '1Gi', { volumeName: 'pv-named' }));
    assert.equal(await boundTo(c, 'named'), 'pv-named');

    // A class with an external provisioner: the claim is handed over.
    await c.client.create('/apis/storage.k8s.io/v1/storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'ext' }, provisioner: 'example.com/ext' });
    await c.client.create(PVCS, pvc('dyn', '1Gi', { cls: 'ext' }));
    await until(async () => (await c.client.get<PVC>(`${PVCS}/dyn`)).metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] === 'example.com/ext', 10_000, 'provisioner annotation');
    await recorder.flush();
    await until(async () => (await events(c, 'dyn')).some((e) => e.startsWith("ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'example.com/ext'")), 10_000, 'ExternalProvisioning event');

    // WaitForFirstConsumer: nothing until the scheduler picks a node.
    await c.client.create('/apis/storage.k8s.io/v1/storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
    await c.client.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } });
    await c.client.create(PVS, pv('pv-local-n2', '1Gi', { cls: 'local', node: 'n2' }));
    await c.client.create(PVS, pv('pv-local-n1', '1Gi', { cls: 'local', node: 'n1' }));
    await c.client.create(PVCS, pvc('wait', '1Gi', { cls: 'local' }));
    await recorder.flush();
    await until(async () => (await events(c, 'wait')).includes('WaitForFirstConsumer: waiting for first consumer to be created before binding'), 10_000, 'WaitForFirstConsumer event');
    assert.equal((await c.client.get<PVC>(`${PVCS}/wait`)).status?.phase, 'Pending');
    await c.client.patch(`${PVCS}/wait`, { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'n1' } } });
    assert.equal(await boundTo(c, 'wait'), 'pv-local-n1');

    // Release: Retain keeps the volume Released; Delete removes it.
    await deleteClaim(c, 'small');
    await until(async () => (await c.client.get<PV>(`${PVS}/pv-1g`)).status?.phase === 'Released', 10_000, 'Released (Retain)');
    await deleteClaim(c, 'big');
    await until(async () => {
      try {
        await c.client.get(`${PVS}/pv-5g`);
        return false;
      } catch (e) {
        return e instanceof StatusError && e.code === 404;
      }
    }, 10_000, 'deleted (Delete)');
  } finally {
    await c.stop();
  }
});
