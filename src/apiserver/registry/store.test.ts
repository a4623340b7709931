import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from './store.js';
import type { RequestContext } from './store.js';
import { createMemoryBackend } from '../../storage/memory.js';
import { builtinResources } from '../../api/resources.js';
import { StatusError } from '../../api/errors.js';
import type { KObject } from '../../api/types.js';

const ctx = (dryRun = false): RequestContext => ({ user: { name: 'test', groups: [] }, dryRun, warnings: [] });
const info = (resource: string) => builtinResources.find((r) => r.resource === resource && r.group !== 'events.k8s.io')!;
const deployment = (name: string, replicas = 1): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  status: { replicas: 99 },
});

async function rejects(p: Promise<unknown>, code: number, re: RegExp) {
  await assert.rejects(p, (e: unknown) => e instanceof StatusError && e.code === code && re.test(e.message));
}

test('create sets identity, defaults, generation; status is reset; duplicates conflict', async () => {
  const s = new Store(info('deployments'), createMemoryBackend());
  const d = await s.create('ns', deployment('web'), ctx());
  assert.match(d.metadata.uid!, /^[0-9a-f-]{36}$/);
  assert.match(d.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(d.metadata.generation, 1);
  assert.deepEqual(d.status, {});
  assert.equal((d.spec as { revisionHistoryLimit: number }).revisionHistoryLimit, 10);
  await rejects(s.create('ns', deployment('web'), ctx()), 409, /deployments.apps "web" already exists/);
  const g = await s.create('ns', { ...deployment(''), metadata: { generateName: 'web-' } }, ctx());
  assert.match(g.metadata.name!, /^web-[a-z0-9]{5}$/);
});

test('update: optimistic concurrency, generation only on spec changes, status kept', async () => {
  const s = new Store(info('deployments'), createMemoryBackend());
  const d = await s.create('ns', deployment('web'), ctx());
  const rv = d.metadata.resourceVersion;
  const labelled = { ...structuredClone(d), metadata: { ...d.metadata, labels: { a: 'b' } } };
  const u1 = (await s.update('ns', 'web', labelled, ctx())).obj;
  assert.equal(u1.metadata.generation, 1);
  assert.notEqual(u1.metadata.resourceVersion, rv);
  const stale = { ...structuredClone(d), spec: { ...(d.spec as object), replicas: 3 } };
  await rejects(s.update('ns', 'web', stale, ctx()), 409, /the object has been modified/);
  const fresh = { ...structuredClone(u1), spec: { ...(u1.spec as object), replicas: 3 }, status: { replicas: 7 } };
  const u2 = (await s.update('ns', 'web', fresh, ctx())).obj;
  assert.equal(u2.metadata.generation, 2);
  assert.deepEqual(u2.status, {});
  const st = (await s.update('ns', 'web', { ...structuredClone(u2), spec: { replicas: 100 }, status: { replicas: 3 } }, ctx(), 'status')).obj;
  assert.deepEqual(st.status, { replicas: 3 });
  assert.equal((st.spec as { replicas: number }).replicas, 3);
  // no-op update does not write
  const same = (await s.update('ns', 'web', structuredClone(st), ctx())).obj;
  assert.equal(same.metadata.resourceVersion, st.metadata.resourceVersion);
});

test('dry run validates but writes nothing', async () => {
  const s = new Store(info('deployments'), createMemoryBackend());
  await s.create('ns', deployment('dry'), ctx(true));
  assert.equal(await s.tryGet('ns', 'dry'), undefined);
  await rejects(s.create('ns', deployment('bad', -1), ctx(true)), 422, /spec.replicas: Invalid value: -1/);
});

test('finalizers hold deletion until removed', async () => {
  const s = new Store(info('configmaps'), createMemoryBackend());
  await s.create('ns', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'f', finalizers: ['example.com/hold'] } }, ctx());
  const r = await s.delete('ns', 'f', {}, ctx());
  assert.equal(r.gone, false);
  assert.ok(r.obj.metadata.deletionTimestamp);
  const cur = await s.get('ns', 'f');
  const released = (await s.update('ns', 'f', { ...cur, metadata: { ...cur.metadata, finalizers: [] } }, ctx())).obj;
  assert.ok(released.metadata.deletionTimestamp);
  assert.equal(await s.tryGet('ns', 'f'), undefined);
});

test('delete preconditions', async () => {
  const s = new Store(info('configmaps'), createMemoryBackend());
  await s.create('ns', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' } }, ctx());
  await rejects(s.delete('ns', 'p', { preconditions: { uid: 'nope' } }, ctx()), 409, /Precondition failed: UID in precondition: nope/);
  await rejects(s.delete('ns', 'missing', {}, ctx()), 404, /configmaps "missing" not found/);
});

test('namespaces terminate through spec.finalizers', async () => {
  const s = new Store(info('namespaces'), createMemoryBackend());
  await s.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, ctx());
  const r = await s.delete('', 'team', {}, ctx());
  assert.equal(r.gone, false);
  assert.equal((r.obj.status as { phase: string }).phase, 'Terminating');
  // An ordinary update cannot drop spec.finalizers ...
  const cur = await s.get('', 'team');
  const upd = (await s.update('', 'team', { ...cur, spec: {} }, ctx())).obj;
  assert.deepEqual((upd.spec as { finalizers: string[] }).finalizers, ['kubernetes']);
  // ... the finalize subresource can, and then the namespace is gone.
  await s.guaranteedUpdate('', 'team', (ns) => ({ ...ns, spec: { finalizers: [] } }), ctx(), 'finalize');
  assert.equal(await s.tryGet('', 'team'), undefined);
});

test('list: limit/continue pages are consistent; filters apply', async () => {
  const s = new Store(info('configmaps'), createMemoryBackend());
  for (let i = 0; i < 7; i++) await s.create('ns', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, labels: { even: String(i % 2 === 0) } } }, ctx());
  const p1 = await s.list('ns', { limit: 3 });
  assert.deepEqual(p1.items.map((i) => i.metadata.name), ['c0', 'c1', 'c2']);
  assert.equal(p1.metadata.remainingItemCount, 4);
  await s.delete('ns', 'c3', {}, ctx());
  const p2 = await s.list('ns', { limit: 3, continue: p1.metadata.continue });
  assert.deepEqual(p2.items.map((i) => i.metadata.name), ['c3', 'c4', 'c5'], 'the continued list is consistent with the first page');
  const even = await s.list('ns', { limit: 2, filter: (o) => o.metadata.labels?.even === 'true' });
  assert.deepEqual(even.items.map((i) => i.metadata.name), ['c0', 'c2']);
  assert.ok(even.metadata.continue);
});

test('daemonsets: template generation annotation starts at 1 and follows template changes', async () => {
  const s = new Store(info('daemonsets'), createMemoryBackend());
  const ds: KObject = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } } };
  const created = await s.create('ns', ds, ctx());
  assert.equal(created.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');
  const relabelled = (await s.update('ns', 'agent', { ...structuredClone(created), metadata: { ...created.metadata, labels: { x: 'y' } } }, ctx())).obj;
  assert.equal(relabelled.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');
  const next = structuredClone(relabelled);
  (next.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = 'busybox:2';
  const updated = (await s.update('ns', 'agent', next, ctx())).obj;
  assert.equal(updated.metadata.annotations?.['deprecated.daemonset.template.generation'], '2');
});
