// ResourceQuota admission: upstream's refusal messages, usage counted from storage even before
// the quota controller has written status, no over-admission under concurrent creates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../../test/support/cluster.js';
import type { TestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { builtinResources } from '../../api/resources.js';
import type { Backend } from '../../storage/backend.js';
import { createMemoryBackend } from '../../storage/memory.js';
import { Store } from '../registry/store.js';
import { buildHooks } from '../hooks.js';
import { IpAllocator, PortAllocator, ServiceAllocations } from '../allocators.js';
import type { Stores } from './types.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
});
after(async () => c.stop());

async function namespaceWithQuota(ns: string, hard: Record<string, string>, extra: Record<string, unknown> = {}): Promise<void> {
  await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await c.client.create(`/api/v1/namespaces/${ns}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard, ...extra } });
}

function pod(name: string, resources?: Record<string, unknown>): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }] } };
}

async function refusal(path: string, obj: KObject): Promise<StatusError> {
  try {
    await c.client.create(path, obj);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  assert.fail('create succeeded');
}

test('a quota of 2 pods refuses the third with upstream\'s message and records usage', async () => {
  await namespaceWithQuota('q-pods', { pods: '2' });
  await c.client.create('/api/v1/namespaces/q-pods/pods', pod('a'));
  await c.client.create('/api/v1/namespaces/q-pods/pods', pod('b'));
  const e = await refusal('/api/v1/namespaces/q-pods/pods', pod('c'));
  assert.equal(e.code, 403);
  assert.equal(e.reason, 'Forbidden');
  assert.equal(e.message, 'pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  const quota = await c.client.get('/api/v1/namespaces/q-pods/resourcequotas/q');
  assert.deepEqual(quota.status, { hard: { pods: '2' }, used: { pods: '2' } });
  // A finished pod no longer uses the quota.
  const a = await c.client.get('/api/v1/namespaces/q-pods/pods/a');
  await c.client.update('/api/v1/namespaces/q-pods/pods/a/status', { ...a, status: { ...(a.status as object), phase: 'Succeeded' } });
  await c.client.create('/api/v1/namespaces/q-pods/pods', pod('c'));
});

test('concurrent creates cannot slip past the limit', async () => {
  await namespaceWithQuota('q-race', { 'count/configmaps': '3' });
  const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) =>
    c.client.create('/api/v1/namespaces/q-race/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` } })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
  const list = await c.client.list('/api/v1/namespaces/q-race/configmaps');
  assert.equal(list.items.length, 3);
});

test('compute quotas require requests and sum them', async () => {
  await namespaceWithQuota('q-cpu', { 'requests.cpu': '1', 'limits.memory': '1Gi' });
  const missing = await refusal('/api/v1/namespaces/q-cpu/pods', pod('bare'));
  assert.equal(missing.message, 'pods "bare" is forbidden: failed quota: q: must specify limits.memory for: c; requests.cpu for: c');
  await c.client.create('/api/v1/namespaces/q-cpu/pods', pod('p1', { requests: { cpu: '600m' }, limits: { memory: '512Mi' } }));
  const over = await refusal('/api/v1/namespaces/q-cpu/pods', pod('p2', { requests: { cpu: '500m' }, limits: { memory: '768Mi' } }));
  assert.equal(over.message, 'pods "p2" is forbidden: exceeded quota: q, requested: limits.memory=768Mi,requests.cpu=500m, used: limits.memory=512Mi,requests.cpu=600m, limited: limits.memory=1Gi,requests.cpu=1');
});

test('service quotas count node ports and load balancers, scoped quotas only pods', async () => {
  await namespaceWithQuota('q-svc', { services: '5', 'services.nodeports': '1' });
  const svc = (name: string, type: string, ports: number) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name },
    spec: { type, selector: { app: 'x' }, ports: Array.from({ length: ports }, (_, i) => ({ name: `p${i}`, port: 80 + i })) },
  });
  await c.client.create('/api/v1/namespaces/q-svc/services', svc('plain', 'ClusterIP', 2));
  const e = await refusal('/api/v1/namespaces/q-svc/services', svc('np', 'NodePort', 2));
  assert.equal(e.message, 'services "np" is forbidden: exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1');

  await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'q-scope' } });
  await c.client.create('/api/v1/namespaces/q-scope/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'be' }, spec: { hard: { pods: '1' }, scopes: ['BestEffort'] } });
  await c.client.create('/api/v1/namespaces/q-scope/pods', pod('be-1'));
  await c.client.create('/api/v1/namespaces/q-scope/pods', pod('burst', { requests: { cpu: '100m' } }));
  const be = await refusal('/api/v1/namespaces/q-scope/pods', pod('be-2'));
  assert.equal(be.message, 'pods "be-2" is forbidden: exceeded quota: be, requested: pods=1, used: pods=1, limited: pods=1');
});

test('the per-namespace lock holds even when storage is slow enough for requests to interleave', async () => {
  // Stores over a backend whose reads and writes take a few milliseconds, so that without the
  // lock every create would count usage before any other had been stored.
  const inner = createMemoryBackend();
  const slow: Backend = Object.create(inner) as Backend;
  const delay = () => new Promise((r) => setTimeout(r, 3));
  slow.list = async (...a) => (await delay(), inner.list(...a));
  slow.create = async (...a) => (await delay(), inner.create(...a));
  const stores: Stores = new Map();
  const allocations = new ServiceAllocations(new IpAllocator('10.0.0.0/24'), new PortAllocator(30000, 30100));
  const lookupNamespace = async (name: string) => stores.get('/namespaces')!.tryGet('', name);
  for (const info of builtinResources.filter((r) => r.group === '' && ['namespaces', 'resourcequotas', 'secrets'].includes(r.resource))) {
    stores.set(`/${info.resource}`, new Store(info, slow, buildHooks(info, { allocations, lookupNamespace, stores })));
  }
  const ctx = () => ({ user: { name: 'test', groups: [] }, dryRun: false, warnings: [] });
  await stores.get('/namespaces')!.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'slow' } }, ctx());
  await stores.get('/resourcequotas')!.create('slow', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { secrets: '2' } } }, ctx());
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) =>
    stores.get('/secrets')!.create('slow', { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${i}` } }, ctx())));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
  const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.match(String((refused.reason as Error).message), /exceeded quota: q, requested: secrets=1, used: secrets=2, limited: secrets=2$/);
  await inner.close();
});
