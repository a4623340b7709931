import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { resourceQuotaController } from './resourcequota.js';
import { addQuantity, formatQuantity, parseQuantity } from './util/quantity.js';

const NS = '/api/v1/namespaces/q';

test('quantities add exactly and print canonically', () => {
  const add = (a: string, b: string) => formatQuantity(addQuantity(parseQuantity(a)!, parseQuantity(b)!));
  assert.equal(add('100m', '200m'), '300m');
  assert.equal(add('500m', '500m'), '1');
  assert.equal(add('1Gi', '512Mi'), '1536Mi');
  assert.equal(add('64Mi', '64Mi'), '128Mi');
  assert.equal(add('1k', '1k'), '2k');
  assert.equal(add('0', '1.5'), '1500m');
});

type Quota = KObject & { status?: { hard?: Record<string, string>; used?: Record<string, string> } };

test('quota status: used counts what the namespace holds, with scopes', async () => {
  const c = await startTestCluster();
  try {
    const ctx = c.context();
    void resourceQuotaController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'q' } });
    const hard = { pods: '5', 'requests.cpu': '2', 'requests.memory': '1Gi', 'limits.memory': '2Gi', configmaps: '5', 'count/deployments.apps': '1', services: '3', 'services.nodeports': '4' };
    const pod = (name: string, resources?: object) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', resources }] } });
    await c.client.create(`${NS}/pods`, pod('a', { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } }));
    await c.client.create(`${NS}/pods`, pod('b', { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } }));
    await c.client.create(`${NS}/pods`, pod('idle'));
    await c.client.create(`${NS}/pods`, pod('done'));
    await c.client.patch(`${NS}/pods/done/status`, { status: { phase: 'Succeeded' } });
    await c.client.create(`${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    await c.client.create(`${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'np' }, spec: { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] } });
    const template = { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    await c.client.create('/apis/apps/v1/namespaces/q/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'd' } }, template } });
    // Quotas come last: admission refuses creates a fresh quota has not accounted for yet.
    await c.client.create(`${NS}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'all' }, spec: { hard } });
    await c.client.create(`${NS}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'besteffort' }, spec: { hard: { pods: '10' }, scopes: ['BestEffort'] } });
    const want = { pods: '3', 'requests.cpu': '350m', 'requests.memory': '128Mi', 'limits.memory': '256Mi', configmaps: '1', 'count/deployments.apps': '1', services: '1', 'services.nodeports': '2' };
    const q = (await until(async () => {
      const got = await c.client.get<Quota>(`${NS}/resourcequotas/all`);
      return JSON.stringify(got.status?.used) === JSON.stringify(Object.fromEntries(Object.keys(hard).map((k) => [k, want[k as keyof typeof want]]))) ? got : undefined;
    }, 10_000, 'usage of quota "all"'))!;
    assert.deepEqual(q.status?.hard, hard);
    await until(async () => (await c.client.get<Quota>(`${NS}/resourcequotas/besteffort`)).status?.used?.pods === '1', 10_000, 'best-effort pods');
    // Deleting a pod is replenished.
    await c.client.delete(`${NS}/pods/a`);
    await until(async () => (await c.client.get<Quota>(`${NS}/resourcequotas/all`)).status?.used?.['requests.cpu'] === '250m', 10_000, 'replenished');
  } finally {
    await c.stop();
  }
});
