import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until, type TestCluster } from '../../test/support/cluster.js';
import { endpointSliceController } from './endpointslice.js';
import { planSlices, type EndpointSlice, type SliceEndpoint } from './endpointslice-plan.js';

const NS = '/api/v1/namespaces/default';
const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';

async function pod(c: TestCluster, name: string, ip: string, ready: boolean): Promise<void> {
  await c.client.create(`${NS}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web' } },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
  });
  await c.client.patch(`${NS}/pods/${name}/status`, { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
}

async function slicesOf(c: TestCluster, svc: string): Promise<EndpointSlice[]> {
  return (await c.client.list<EndpointSlice>(`${SLICES}?labelSelector=kubernetes.io/service-name=${svc}`)).items;
}

test('EndpointSlices carry conditions, ports, owner and labels; an empty Service keeps a placeholder', async () => {
  const c = await startTestCluster();
  try {
    const ctx = c.context();
    void endpointSliceController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    const svc = await c.client.create(`${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    const placeholder = await until(async () => (await slicesOf(c, 'web'))[0], 10_000, 'placeholder slice');
    assert.deepEqual(placeholder.endpoints ?? [], []);
    assert.equal(placeholder.addressType, 'IPv4');
    assert.equal(placeholder.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.ok(placeholder.metadata.name!.startsWith('web-'));
    assert.equal(placeholder.metadata.ownerReferences?.[0]?.uid, svc.metadata.uid);

    await pod(c, 'a', '10.42.0.5', true);
    await pod(c, 'b', '10.42.0.6', false);
    const slice = (await until(async () => {
      const s = await slicesOf(c, 'web');
      return s.length === 1 && s[0]!.endpoints?.length === 2 ? s[0] : undefined;
    }, 10_000, 'two endpoints'))!;
    assert.equal(slice.metadata.name, placeholder.metadata.name, 'the placeholder is reused');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const byName = new Map(slice.endpoints!.map((e) => [e.targetRef!.name, e]));
    assert.deepEqual(byName.get('a')!.conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual(byName.get('b')!.conditions, { ready: false, serving: false, terminating: false });
    assert.equal(byName.get('a')!.nodeName, 'n1');
    assert.deepEqual(byName.get('a')!.addresses, ['10.42.0.5']);
  } finally {
    await c.stop();
  }
});

test('planSlices: at most 100 per slice, endpoints stay put, empty slices go', () => {
  const ep = (i: number): SliceEndpoint => ({ addresses: [`10.0.${i >> 8}.${i & 255}`], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: 'd', name: `p${i}`, uid: `u${i}` } });
  const ports = [{ name: 'http', port: 80, protocol: 'TCP' }];
  const first = planSlices([{ ports, endpoints: Array.from({ length: 250 }, (_, i) => ep(i)) }], [], 100, true);
  assert.deepEqual(first.create.map((c) => c.endpoints.length), [100, 100, 50]);
  const existing: EndpointSlice[] = first.create.map((c, i) => ({ metadata: { name: `s${i}` }, addressType: 'IPv4', endpoints: c.endpoints, ports: c.ports }));
  // Drop the first 100 and add one: slice s0 empties (deleted), the new one fills s2.
  const next = planSlices([{ ports, endpoints: [...Array.from({ length: 150 }, (_, i) => ep(i + 100)), ep(999)] }], existing, 100, true);
  assert.deepEqual(next.delete.map((s) => s.metadata.name), ['s0']);
  assert.deepEqual(next.update.map((u) => [u.slice.metadata.name, u.endpoints.length]), [['s2', 51]]);
  assert.equal(next.create.length, 0);
});
