import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';

const pvc = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...extra },
});
const sc = (name: string, isDefault: boolean) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
  provisioner: 'example.com/x',
});
const claimClass = async (c: Awaited<ReturnType<typeof startTestCluster>>, name: string) =>
  ((await c.client.get<KObject>(`/api/v1/namespaces/default/persistentvolumeclaims/${name}`)).spec as { storageClassName?: string }).storageClassName;

test('a claim without a class gets the default StorageClass; "" and explicit classes are kept', async () => {
  const c = await startTestCluster();
  try {
    await c.client.create('/api/v1/namespaces/default/persistentvolumeclaims', pvc('before'));
    assert.equal(await claimClass(c, 'before'), undefined, 'no default class yet');
    await c.client.create('/apis/storage.k8s.io/v1/storageclasses', sc('plain', false));
    await c.client.create('/apis/storage.k8s.io/v1/storageclasses', sc('standard', true));
    await c.client.create('/api/v1/namespaces/default/persistentvolumeclaims', pvc('auto'));
    assert.equal(await claimClass(c, 'auto'), 'standard');
    await c.client.create('/api/v1/namespaces/default/persistentvolumeclaims', pvc('none', { storageClassName: '' }));
    assert.equal(await claimClass(c, 'none'), '');
    await c.client.create('/api/v1/namespaces/default/persistentvolumeclaims', pvc('explicit', { storageClassName: 'plain' }));
    assert.equal(await claimClass(c, 'explicit'), 'plain');
  } finally {
    await c.stop();
  }
});
