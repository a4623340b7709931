import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { ensureKubeDns } from './kube-dns-service.js';

const SYS = '/api/v1/namespaces/kube-system';
const SLICE = '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns-kts';
type Slice = KObject & { endpoints: { addresses: string[] }[]; ports: { port: number }[] };

test('ensureKubeDns creates the Service, Endpoints and slice once, then only corrects drift', async () => {
  const c = await startTestCluster();
  try {
    await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } }).catch((e: unknown) => {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    });
    const t = { clusterIp: '10.43.0.10', address: '127.0.0.1', port: 5353 };
    assert.deepEqual(await ensureKubeDns(c.client, t), ['service', 'endpoints', 'endpointslice']);
    // Level-triggered: nothing to do the second time (defaults added by the API server are not drift).
    assert.deepEqual(await ensureKubeDns(c.client, t), []);
    const svc = await c.client.get<KObject & { metadata: { uid: string }; spec: { clusterIP: string; selector?: unknown } }>(`${SYS}/services/kube-dns`);
    assert.equal(svc.spec.clusterIP, '10.43.0.10');
    assert.equal(svc.spec.selector, undefined);
    const slice = await c.client.get<Slice>(SLICE);
    assert.equal(slice.metadata.ownerReferences?.[0]?.uid, svc.metadata.uid);

    // The server moved to another port: the slice, Endpoints and targetPort follow.
    assert.deepEqual(await ensureKubeDns(c.client, { ...t, port: 1053 }), ['service', 'endpoints', 'endpointslice']);
    assert.deepEqual((await c.client.get<Slice>(SLICE)).ports.map((p) => p.port), [1053, 1053]);
    const ep = await c.client.get<{ subsets: { ports: { port: number }[] }[] }>(`${SYS}/endpoints/kube-dns`);
    assert.deepEqual(ep.subsets[0]!.ports.map((p) => p.port), [1053, 1053]);

    // Labels we rely on come back if removed (mirroring must stay off for our Endpoints).
    await c.client.patch(`${SYS}/endpoints/kube-dns`, { metadata: { labels: { 'endpointslice.kubernetes.io/skip-mirror': null } } });
    assert.deepEqual(await ensureKubeDns(c.client, { ...t, port: 1053 }), ['endpoints']);
    const again = await c.client.get<KObject>(`${SYS}/endpoints/kube-dns`);
    assert.equal(again.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');

    // Someone else's kube-dns (with a selector) is left alone, with a clear error.
    await c.client.patch(`${SYS}/services/kube-dns`, { spec: { selector: { 'k8s-app': 'coredns' } } });
    await assert.rejects(ensureKubeDns(c.client, t), /has a selector/);
  } finally {
    await c.stop();
  }
});
