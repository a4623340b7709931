import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceEnv } from './service-env.js';

test('service links as upstream, headless services skipped', () => {
  const env = serviceEnv([
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'my-db' }, spec: { clusterIP: '10.43.0.20', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
  ]);
  const m = Object.fromEntries(env.map((e) => [e.key, e.value]));
  assert.equal(m.MY_DB_SERVICE_HOST, '10.43.0.20');
  assert.equal(m.MY_DB_SERVICE_PORT, '5432');
  assert.equal(m.MY_DB_SERVICE_PORT_PG, '5432');
  assert.equal(m.MY_DB_PORT, 'tcp://10.43.0.20:5432');
  assert.equal(m.MY_DB_PORT_53_UDP, 'udp://10.43.0.20:53');
  assert.equal(m.MY_DB_PORT_53_UDP_ADDR, '10.43.0.20');
  assert.equal(m.HEADLESS_SERVICE_HOST, undefined);
});
