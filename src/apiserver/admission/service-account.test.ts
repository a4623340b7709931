import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';

type PodSpec = { volumes?: { name: string; projected?: unknown }[]; containers: { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[]; initContainers?: PodSpec['containers'] };

test('ServiceAccount admission mounts kube-api-access unless the pod or its account opts out', async () => {
  const c = await startTestCluster();
  try {
    const create = async (name: string, spec: object) => (await c.client.create<KObject & { spec: PodSpec }>('/api/v1/namespaces/default/pods', { metadata: { name }, spec })).spec;
    const s = await create('a', { initContainers: [{ name: 'i', image: 'busybox' }], containers: [{ name: 'c', image: 'busybox' }, { name: 'own', image: 'busybox', volumeMounts: [{ name: 'mine', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }], volumes: [{ name: 'mine', emptyDir: {} }] });
    const vol = s.volumes!.find((v) => v.name.startsWith('kube-api-access-'))!;
    assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(vol.projected, {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 420,
    });
    const mount = { name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
    assert.deepEqual(s.initContainers![0]!.volumeMounts, [mount]);
    assert.deepEqual(s.containers[0]!.volumeMounts, [mount]);
    assert.deepEqual(s.containers[1]!.volumeMounts, [{ name: 'mine', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }], 'its own mount at the path stays');

    assert.equal((await create('b', { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox' }] })).volumes, undefined);
    await c.client.create('/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'quiet' }, automountServiceAccountToken: false });
    assert.equal((await create('c', { serviceAccountName: 'quiet', containers: [{ name: 'c', image: 'busybox' }] })).volumes, undefined);
    // The pod's own setting wins over the account's.
    assert.equal((await create('d', { serviceAccountName: 'quiet', automountServiceAccountToken: true, containers: [{ name: 'c', image: 'busybox' }] })).volumes?.length, 1);
  } finally {
    await c.stop();
  }
});
