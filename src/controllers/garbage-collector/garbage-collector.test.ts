import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.js';
import type { KObject, OwnerReference } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { garbageCollectorController } from './garbage-collector.js';
import { builtinResources } from '../../api/resources.js';

let c: TestCluster;

before(async () => {
  c = await startTestCluster();
  // The test client allows 16 sockets and every informer holds one open watch; the kinds these
  // tests use are enough.
  const ctx = { ...c.context(), resources: builtinResources.filter((r) => ['configmaps', 'pods', 'replicasets', 'deployments', 'namespaces'].includes(r.resource)) };
  void garbageCollectorController.start(ctx, c.signal);
  ctx.informers.start(c.signal);
});
after(async () => {
  await c.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const RS = '/apis/apps/v1/namespaces/default/replicasets';
const PODS = '/api/v1/namespaces/default/pods';

function ref(o: KObject, extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid!, ...extra };
}

async function cm(name: string, owners: OwnerReference[] = [], finalizers?: string[]): Promise<KObject> {
  return c.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: owners, finalizers } });
}

async function gone(path: string): Promise<boolean> {
  try {
    await c.client.get(path);
    return false;
  } catch (e) {
    return e instanceof StatusError && e.code === 404;
  }
}

test('background: dependents of a deleted owner are deleted, down the chain', async () => {
  const rs = await c.client.create(RS, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  const pod = await c.client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', labels: { app: 'web' }, ownerReferences: [ref(rs, { controller: true, blockOwnerDeletion: true })] }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const cmDep = await cm('bg-dep', [ref(pod)]);
  await c.client.delete(`${RS}/web`, { propagationPolicy: 'Background' });
  await until(() => gone(`${PODS}/web-1`), 10_000, 'pod collected');
  await until(() => gone(`${CM}/${cmDep.metadata.name}`), 10_000, 'configmap of the pod collected');
});

test('a dependent with one remaining owner only loses the reference to the deleted one', async () => {
  const a = await cm('multi-a');
  const b = await cm('multi-b');
  await cm('multi-dep', [ref(a), ref(b)]);
  await c.client.delete(`${CM}/multi-a`);
  const dep = (await until(async () => {
    const d = await c.client.get<KObject>(`${CM}/multi-dep`);
    return d.metadata.ownerReferences?.length === 1 ? d : undefined;
  }, 10_000, 'reference removed'))!;
  assert.equal(dep.metadata.ownerReferences![0]!.uid, b.metadata.uid);
});

test('a dependent created with an owner that never existed (uid mismatch) is collected', async () => {
  const real = await cm('real-owner');
  await cm('stale-dep', [{ ...ref(real), uid: '00000000-0000-0000-0000-000000000000' }]);
  await until(() => gone(`${CM}/stale-dep`), 10_000, 'stale dependent collected');
  assert.equal(await gone(`${CM}/real-owner`), false);
});

test('foreground: the owner waits for blocking dependents, then goes', async () => {
  const owner = await cm('fg-owner');
  // The blocking dependent holds a finalizer of its own so the owner must visibly wait.
  await cm('fg-blocker', [ref(owner, { blockOwnerDeletion: true })], ['example.com/hold']);
  await cm('fg-plain', [ref(owner)]);
  await c.client.delete(`${CM}/fg-owner`, { propagationPolicy: 'Foreground' });
  await until(() => gone(`${CM}/fg-plain`), 10_000, 'non-blocking dependent deleted');
  await until(async () => (await c.client.get<KObject>(`${CM}/fg-blocker`)).metadata.deletionTimestamp, 10_000, 'blocker being deleted');
  const o = await c.client.get<KObject>(`${CM}/fg-owner`);
  assert.ok(o.metadata.deletionTimestamp);
  assert.deepEqual(o.metadata.finalizers, ['foregroundDeletion']);
  await c.client.patch(`${CM}/fg-blocker`, { metadata: { finalizers: null } });
  await until(() => gone(`${CM}/fg-owner`), 10_000, 'owner deleted after its blocking dependent');
});

test('orphan: dependents stay without the reference; the finalizer is removed', async () => {
  const owner = await cm('orph-owner');
  const other = await cm('orph-other');
  await cm('orph-dep', [ref(owner, { controller: true, blockOwnerDeletion: true }), ref(other)]);
  await c.client.delete(`${CM}/orph-owner`, { propagationPolicy: 'Orphan' });
  await until(() => gone(`${CM}/orph-owner`), 10_000, 'owner deleted');
  const dep = await c.client.get<KObject>(`${CM}/orph-dep`);
  assert.deepEqual(dep.metadata.ownerReferences!.map((r) => r.name), ['orph-other']);
});

test('a cluster-scoped owner of a namespaced dependent counts; a namespaced owner elsewhere does not', async () => {
  const ns = await c.client.create<KObject>('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gc-owner-ns' } });
  await cm('ns-owned', [ref(ns)]);
  const foreign = await c.client.create<KObject>('/api/v1/namespaces/gc-owner-ns/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'foreign' } });
  await cm('cross-ns', [ref(foreign)]);
  await until(() => gone(`${CM}/cross-ns`), 10_000, 'dependent of an owner in another namespace collected');
  assert.equal(await gone(`${CM}/ns-owned`), false);
});

async function chain(name: string): Promise<{ deploy: KObject; rs: KObject }> {
  const template = { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const deploy = await c.client.create<KObject>('/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template } });
  const rs = await c.client.create<KObject>(RS, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${name}-rs`, ownerReferences: [ref(deploy, { controller: true, blockOwnerDeletion: true })] }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template } });
  await c.client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-pod`, labels: { app: name }, ownerReferences: [ref(rs, { controller: true, blockOwnerDeletion: true })] }, spec: template.spec });
  return { deploy, rs };
}

test('foreground through a chain: Deployment waits for its ReplicaSet, which waits for its pod', async () => {
  await chain('fgchain');
  // A finalizer on the pod lets the test see the owners waiting.
  await c.client.patch(`${PODS}/fgchain-pod`, { metadata: { finalizers: ['example.com/hold'] } });
  await c.client.delete('/apis/apps/v1/namespaces/default/deployments/fgchain', { propagationPolicy: 'Foreground' });
  await until(async () => (await c.client.get<KObject>(`${RS}/fgchain-rs`)).metadata.finalizers?.includes('foregroundDeletion'), 10_000, 'ReplicaSet deleted in the foreground');
  await until(async () => (await c.client.get<KObject>(`${PODS}/fgchain-pod`)).metadata.deletionTimestamp, 10_000, 'pod being deleted');
  assert.equal(await gone('/apis/apps/v1/namespaces/default/deployments/fgchain'), false);
  await c.client.patch(`${PODS}/fgchain-pod`, { metadata: { finalizers: null } });
  await until(() => gone('/apis/apps/v1/namespaces/default/deployments/fgchain'), 10_000, 'deployment gone last');
  assert.equal(await gone(`${RS}/fgchain-rs`), true);
});

test('orphaning a ReplicaSet leaves its pods without the reference', async () => {
  await chain('orphchain');
  await c.client.delete(`${RS}/orphchain-rs`, { propagationPolicy: 'Orphan' });
  await until(() => gone(`${RS}/orphchain-rs`), 10_000, 'ReplicaSet deleted');
  const pod = await c.client.get<KObject>(`${PODS}/orphchain-pod`);
  assert.equal(pod.metadata.ownerReferences, undefined);
  assert.equal(pod.metadata.deletionTimestamp, undefined);
});
