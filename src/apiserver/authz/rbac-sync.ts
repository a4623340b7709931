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

/**
 * Lists a store and follows its changes into `sink` until the signal aborts. Should the watch
 * cache lose storage's history (it starts over), the store is listed again and what is gone removed.
 */
export async function follow(store: Store, cache: WatchCache, sink: ObjectSink, signal: AbortSignal): Promise<void> {
  let pending: CachedEvent[] = [];
  let synced = false;
  const known = new Set<string>();
  const put = (o: KObject) => {
    known.add(`${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    sink.put(o);
  };
  const remove = (namespace: string, name: string) => {
    known.delete(`${namespace}/${name}`);
    sink.remove(namespace, name);
  };
  const apply = (e: CachedEvent) => {
    if (e.type === 'put') put(e.object());
    else {
      const { namespace, name } = keyParts(store, e.key);
      remove(namespace, name);
    }
  };
  const sync = async (replay: CachedEvent[]) => {
    const list = await store.list('', {});
    const listed = new Set<string>();
    for (const o of list.items) {
      listed.add(`${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      put(o);
    }
    for (const k of [...known]) {
      if (listed.has(k)) continue;
      const i = k.indexOf('/');
      remove(k.slice(0, i), k.slice(i + 1));
    }
    for (const e of [...replay, ...pending]) apply(e);
    pending = [];
    synced = true;
  };
  const onReset = () => {
    synced = false;
    pending = [];
    sync([]).catch(() => {
      // The next reset or restart lists again; the index keeps what it had meanwhile.
    });
  };
  const sub = cache.subscribe(
    store.prefix,
    cache.revision,
    (evs) => {
      if (synced) for (const e of evs) apply(e);
      else pending.push(...evs);
    },
    onReset,
  );
  if (!sub) throw new Error(`authorization: cannot follow ${store.prefix}`);
  signal.addEventListener('abort', sub.cancel, { once: true });
  await sync(sub.replay);
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
