import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestCluster } from '../../test/support/cluster.js';
import { silentLogger } from '../util/log.js';
import { runIngressController } from './controller.js';
import { findNginx } from './nginx-process.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultIngressClass } from './ingress-class.js';
import type { KObject } from '../api/types.js';

const NS = '/api/v1/namespaces/default';
const ING = '/apis/networking.k8s.io/v1/namespaces/default/ingresses';

function get(port: number, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
    })
      .on('error', reject)
      .end();
  });
}

async function until<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const plane of ['builtin', 'nginx'] as const) {
  test(`the controller (${plane} data plane) routes through Service → EndpointSlice to ready endpoints, round robin, and publishes the node IP`, { skip: plane === 'nginx' && !findNginx() ? 'nginx is not installed (Debian nginx-light)' : false }, async () => {
    const c = await startTestCluster();
    const stateDir = await mkdtemp(join(tmpdir(), 'kts-ingress-'));
    const ac = new AbortController();
    const upstreams = await Promise.all(
      ['one', 'two'].map(async (name) => {
        const s = createServer((_q, r) => r.end(name));
        await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
        return s;
      }),
    );
    try {
      // Both upstreams listen on 127.0.0.1 on different ports; one EndpointSlice per port name.
      await c.client.create('/apis/networking.k8s.io/v1/ingressclasses', defaultIngressClass());
      await c.client.create(`${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }] } });
      const slice = (name: string, port: number, ready: boolean) => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name, labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready } }],
        ports: [{ name: 'http', port, protocol: 'TCP' }],
      });
      const ports = upstreams.map((s) => (s.address() as AddressInfo).port);
      await c.client.create('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', slice('web-a', ports[0]!, true));
      await c.client.create('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', slice('web-b', ports[1]!, true));
      await c.client.create(ING, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web' },
        spec: { rules: [{ host: 'web.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }] },
      });
      const ctl = await runIngressController({ nodeIp: '192.0.2.7', bindAddress: '127.0.0.1', httpPort: 0, httpsPort: 0, dataPlane: plane, stateDir }, c.client, silentLogger, ac.signal);
      await until(async () => ((await get(ctl.httpPort, 'web.test')).status === 200 ? true : undefined), 'routing');
      const bodies = new Set<string>();
      for (let i = 0; i < 4; i++) bodies.add((await get(ctl.httpPort, 'web.test')).body);
      assert.deepEqual([...bodies].sort(), ['one', 'two'], 'round robin over both endpoints');
      assert.equal((await get(ctl.httpPort, 'other.test')).status, 404);
      await until(async () => {
        const ing = await c.client.get<KObject & { status?: { loadBalancer?: { ingress?: { ip: string }[] } } }>(`${ING}/web`);
        return ing.status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.7' ? true : undefined;
      }, 'status.loadBalancer');
      // Endpoints going unready: 503.
      for (const n of ['web-a', 'web-b']) await c.client.patch(`/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/${n}`, { endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: false } }] });
      await until(async () => ((await get(ctl.httpPort, 'web.test')).status === 503 ? true : undefined), '503 without ready endpoints');
      ac.abort();
      await ctl.done;
    } finally {
      ac.abort();
      for (const s of upstreams) s.close();
      await c.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
}
