import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until, type TestCluster } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { endpointsController, type EndpointSubset } from './endpoints.js';

const NS = '/api/v1/namespaces/default';

async function makePod(c: TestCluster, name: string, o: { ip?: string; ready?: boolean; ports?: { name: string; containerPort: number }[]; labels?: Record<string, string>; hostname?: string; subdomain?: string }): Promise<void> {
  await c.client.create(`${NS}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: o.labels ?? { app: 'web' } },
    spec: { hostname: o.hostname, subdomain: o.subdomain, containers: [{ name: 'c', image: 'nginx', ports: o.ports ?? [] }] },
  });
  if (o.ip) await setPodStatus(c, name, o.ip, o.ready ?? false);
}

async function setPodStatus(c: TestCluster, name: string, ip: string, ready: boolean): Promise<void> {
  await c.client.patch(`${NS}/pods/${name}/status`, {
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] },
  });
}

test('Endpoints follow pod readiness, named ports and hostnames', async () => {
  const c = await startTestCluster();
  try {
    const ctx = c.context();
    void endpointsController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    await c.client.create(`${NS}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9090 }] },
    });
    await c.client.create(`${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } });
    await makePod(c, 'a', { ip: '10.42.0.5', ready: true, ports: [{ name: 'http', containerPort: 8080 }], hostname: 'a', subdomain: 'web' });
    await makePod(c, 'b', { ip: '10.42.0.6', ready: false, ports: [{ name: 'http', containerPort: 8080 }] });
    await makePod(c, 'c', { ip: '10.42.0.7', ready: true }); // no "http" port: only metrics resolves
    await makePod(c, 'd', {}); // no IP yet: not listed
    const ep = (await until(async () => {
      const e = await c.client.get<KObject & { subsets?: EndpointSubset[] }>(`${NS}/endpoints/web`);
      return e.subsets?.length === 2 ? e : undefined;
    }, 10_000, 'endpoints with two subsets'))!;
    const both = ep.subsets!.find((s) => s.ports?.length === 2)!;
    assert.deepEqual(both.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }]);
    assert.deepEqual(both.addresses!.map((a) => [a.ip, a.hostname, a.targetRef.name]), [['10.42.0.5', 'a', 'a']]);
    assert.deepEqual(both.notReadyAddresses!.map((a) => a.ip), ['10.42.0.6']);
    const metricsOnly = ep.subsets!.find((s) => s.ports?.length === 1)!;
    assert.deepEqual(metricsOnly.addresses!.map((a) => a.ip), ['10.42.0.7']);
    assert.equal(ep.metadata.labels?.tier, 'front');
    assert.ok(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);

    // b becomes ready.
    await setPodStatus(c, 'b', '10.42.0.6', true);
    await until(async () => {
      const e = await c.client.get<KObject & { subsets?: EndpointSubset[] }>(`${NS}/endpoints/web`);
      const s = e.subsets?.find((x) => x.ports?.length === 2);
      return s?.addresses?.length === 2 && !s.notReadyAddresses;
    }, 10_000, 'b ready');

    // publishNotReadyAddresses lists a not-ready pod as ready.
    await setPodStatus(c, 'a', '10.42.0.5', false);
    await c.client.patch(`${NS}/services/web`, { spec: { publishNotReadyAddresses: true } });
    await until(async () => {
      const e = await c.client.get<KObject & { subsets?: EndpointSubset[] }>(`${NS}/endpoints/web`);
      return e.subsets?.find((x) => x.ports?.length === 2)?.addresses?.length === 2;
    }, 10_000, 'not-ready published');

    // Selectorless services are left alone; deleting the service removes the Endpoints.
    await assert.rejects(c.client.get(`${NS}/endpoints/manual`), (e: unknown) => e instanceof StatusError && e.code === 404);
    await c.client.delete(`${NS}/services/web`);
    await until(async () => {
      try {
        await c.client.get(`${NS}/endpoints/web`);
        return false;
      } catch (e) {
        return e instanceof StatusError && e.code === 404;
      }
    }, 10_000, 'endpoints deleted');
  } finally {
    await c.stop();
  }
});
