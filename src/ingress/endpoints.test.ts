import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveBackend, RoundRobin } from './endpoints.js';
import type { EndpointSlice, Service } from './endpoints.js';

const service: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'd' }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 9000 }] } };
const slice = (eps: [string, boolean | undefined][], ports = [{ name: 'http', port: 8080 }, { name: 'admin', port: 9090 }]): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-x', namespace: 'd' },
  addressType: 'IPv4',
  endpoints: eps.map(([ip, ready]) => ({ addresses: [ip], conditions: ready === undefined ? {} : { ready } })),
  ports,
});

test('a Service port by number or by name resolves to the ready endpoints on the target port', () => {
  const slices = [slice([['10.0.0.2', true], ['10.0.0.1', undefined], ['10.0.0.3', false]])];
  assert.deepEqual(resolveBackend({ name: 'web', port: { number: 80 } }, service, slices), { ok: true, targets: [{ host: '10.0.0.1', port: 8080 }, { host: '10.0.0.2', port: 8080 }] });
  assert.deepEqual(resolveBackend({ name: 'web', port: { name: 'admin' } }, service, slices), { ok: true, targets: [{ host: '10.0.0.1', port: 9090 }, { host: '10.0.0.2', port: 9090 }] });
});

test('503 reasons: no Service, no such port, no ready endpoints; ExternalName is refused', () => {
  const none = resolveBackend({ name: 'web', port: { number: 80 } }, undefined, []);
  assert.deepEqual(none, { ok: false, status: 503, reason: 'service "web" not found' });
  const port = resolveBackend({ name: 'web', port: { number: 81 } }, service, []);
  assert.equal(port.ok || port.status, 503);
  const unready = resolveBackend({ name: 'web', port: { number: 80 } }, service, [slice([['10.0.0.3', false]])]);
  assert.ok(!unready.ok && /no ready endpoints/.test(unready.reason));
  const ext = resolveBackend({ name: 'web', port: { number: 80 } }, { ...service, spec: { type: 'ExternalName' } }, []);
  assert.ok(!ext.ok && ext.status === 500);
});

test('round robin cycles per backend key', () => {
  const rr = new RoundRobin();
  const t = [{ host: 'a', port: 1 }, { host: 'b', port: 1 }];
  assert.deepEqual([rr.pick('k', t).host, rr.pick('k', t).host, rr.pick('k', t).host, rr.pick('other', t).host], ['a', 'b', 'a', 'a']);
  assert.deepEqual(rr.order('k', t).map((x) => x.host), ['b', 'a'], 'the fallbacks follow the pick');
});
