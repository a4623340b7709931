import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../registry/store.js';
import { WatchCache } from '../watch-cache.js';
import { createMemoryBackend } from '../../storage/memory.js';
import { builtinResources } from '../../api/resources.js';
import { StatusError } from '../../api/errors.js';
import { Authorization } from './authorization.js';
import { resourceAttributes } from './types.js';

const G = 'rbac.authorization.k8s.io';
const ctx = () => ({ user: { name: 'test', groups: ['system:masters'] }, dryRun: false, warnings: [] });

test('the authorizer follows the stores: objects before start, writes after, deletes', async () => {
  const backend = createMemoryBackend();
  const cache = new WatchCache(backend);
  const ac = new AbortController();
  await cache.start(ac.signal);
  const stores = new Map<string, Store>();
  for (const info of builtinResources) stores.set(`${info.group}/${info.resource}`, new Store(info, backend));
  const s = (r: string) => stores.get(`${G}/${r}`)!;
  await s('clusterroles').create('', { apiVersion: `${G}/v1`, kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }, ctx());
  const authz = new Authorization({ cache, backend });
  await authz.start(stores, cache, ac.signal);
  try {
    const a = resourceAttributes({ name: 'alice', groups: [] }, 'get', { resource: 'pods', namespace: 'dev', name: 'p' });
    await assert.rejects(authz.check(a), (e: unknown) => e instanceof StatusError && e.code === 403 && e.message === 'pods "p" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "dev"');
    await s('rolebindings').create('dev', { apiVersion: `${G}/v1`, kind: 'RoleBinding', metadata: { name: 'b', namespace: 'dev' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'reader' }, subjects: [{ kind: 'User', apiGroup: G, name: 'alice' }] }, ctx());
    // Right after the write returns: the denial path waits for the watch cache, so this passes.
    await authz.check(a);
    await s('rolebindings').delete('dev', 'b', {}, ctx());
    await assert.rejects(authz.check(a), /forbidden/);

    // The node graph follows pods the same way.
    const n1 = { name: 'system:node:n1', groups: ['system:nodes'] };
    const secret = resourceAttributes(n1, 'get', { resource: 'secrets', namespace: 'dev', name: 's' });
    assert.equal(authz.authorize(secret).decision, 'noOpinion');
    await stores.get('/namespaces')!.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } }, ctx());
    await stores.get('/pods')!.create('dev', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'dev' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'v', secret: { secretName: 's' } }] } }, ctx());
    assert.equal((await authz.allowed(secret)).decision, 'allow');
  } finally {
    ac.abort();
  }
});
