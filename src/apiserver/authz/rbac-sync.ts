// Feeds the RBAC index (and other in-memory authorization state) from storage: a list of each
// kind, then the watch cache's events from before that list on, applied in order, so the index
// converges on storage and stays there. Starts before the server serves.
import type { KObject } from '../../api/types.js';
import type { Store } from '../registry/store.js';
import type { WatchCache, CachedEvent } from '../watch-cache.js';
import type { RbacIndex } from './rbac-index.js';

export interface ObjectSink {
  put(obj: KObject): void;
  remove(namespace: string, name: string): void;
}

/** Lists a store and follows its changes into `sink` until the signal aborts. */
export async function follow(store: Store, cache: WatchCache, sink: ObjectSink, signal: AbortSignal): Promise<void> {
  const pending: CachedEvent[] = [];
  let synced = false;
  const apply = (e: CachedEvent) => {
    if (e.type === 'put') sink.put(e.object());
    else {
      const { namespace, name } = keyParts(store, e.key);
      sink.remove(namespace, name);
    }
  };
  const sub = cache.subscribe(store.prefix, cache.revision, (evs) => {
    if (synced) for (const e of evs) apply(e);
    else pending.push(...evs);
  });
  if (!sub) throw new Error(`authorization: cannot follow ${store.prefix}`);
  signal.addEventListener('abort', sub.cancel, { once: true });
  const list = await store.list('', {});
  for (const o of list.items) sink.put(o);
  for (const e of [...sub.replay, ...pending]) apply(e);
  synced = true;
}

function keyParts(store: Store, key: string): { namespace: string; name: string } {
  const rest = key.slice(store.prefix.length);
  if (!store.info.namespaced) return { namespace: '', name: rest };
  const i = rest.indexOf('/');
  return { namespace: rest.slice(0, i), name: rest.slice(i + 1) };
}

export async function syncRbacIndex(index: RbacIndex, stores: Map<string, Store>, cache: WatchCache, signal: AbortSignal): Promise<void> {
  const g = 'rbac.authorization.k8s.io';
  await Promise.all([
    follow(stores.get(`${g}/clusterroles`)!, cache, { put: (o) => index.putClusterRole(o), remove: (_ns, n) => index.deleteClusterRole(n) }, signal),
    follow(stores.get(`${g}/roles`)!, cache, { put: (o) => index.putRole(o), remove: (ns, n) => index.deleteRole(ns, n) }, signal),
    follow(stores.get(`${g}/clusterrolebindings`)!, cache, { put: (o) => index.putClusterRoleBinding(o), remove: (_ns, n) => index.deleteClusterRoleBinding(n) }, signal),
    follow(stores.get(`${g}/rolebindings`)!, cache, { put: (o) => index.putRoleBinding(o), remove: (ns, n) => index.deleteRoleBinding(ns, n) }, signal),
  ]);
}
