import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { silentLogger } from '../util/log.js';
import { apiserverEndpoints, desiredEndpoints, liveServers, LEASE_SECONDS } from './apiserver-endpoints.js';

const lease = (address: string, renewMs: number): KObject => ({ metadata: { name: address, annotations: { 'kts.io/apiserver-address': address } }, spec: { renewTime: new Date(renewMs).toISOString(), leaseDurationSeconds: LEASE_SECONDS } });

test('live servers: Leases renewed within their duration, sorted; the endpoints group them by port', () => {
  const now = Date.now();
  const live = liveServers([lease('10.0.0.2:6443', now), lease('10.0.0.1:6443', now - 5000), lease('10.0.0.3:6443', now - 20_000), lease('127.0.0.1:7443', now)], now);
  assert.deepEqual(live, [{ ip: '10.0.0.1', port: 6443 }, { ip: '10.0.0.2', port: 6443 }, { ip: '127.0.0.1', port: 7443 }]);
  const want = desiredEndpoints(live);
  assert.deepEqual(want.subsets, [
    { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
    { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 7443, protocol: 'TCP' }] },
  ]);
  assert.deepEqual(want.slices.map((s) => s.metadata.name), ['kubernetes', 'kubernetes-7443']);
  assert.equal(want.slices[0]!.metadata.labels?.['kubernetes.io/service-name'], 'kubernetes');
});

test('two API servers on one datastore are both endpoints of the kubernetes Service; one that stops leaves them', async () => {
  const a = await startTestCluster();
  const b = await startTestCluster({ backend: a.backend });
  const stopB = new AbortController();
  try {
    const ea = apiserverEndpoints(a.stores, { ip: '127.0.0.1', port: 7001 }, silentLogger);
    const eb = apiserverEndpoints(b.stores, { ip: '127.0.0.2', port: 7001 }, silentLogger);
    await ea.reconcile();
    await eb.reconcile();
    const ep = await a.client.get<KObject>('/api/v1/namespaces/default/endpoints/kubernetes');
    assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.0.0.1' }, { ip: '127.0.0.2' }], ports: [{ name: 'https', port: 7001, protocol: 'TCP' }] }]);
    const slice = await a.client.get<KObject>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
    assert.deepEqual((slice.endpoints as { addresses: string[] }[]).map((e) => e.addresses[0]), ['127.0.0.1', '127.0.0.2']);
    // A clean stop removes the server at once.
    const running = eb.run(stopB.signal);
    stopB.abort();
    await running;
    const after = await a.client.get<KObject>('/api/v1/namespaces/default/endpoints/kubernetes');
    assert.deepEqual(after.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 7001, protocol: 'TCP' }] }]);
  } finally {
    await b.stop();
    await a.stop();
  }
});
