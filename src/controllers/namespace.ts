// The namespace controller: when a namespace is being deleted, deletes everything in it through
// the API, then removes the "kubernetes" finalizer (PUT .../finalize) so the namespace goes away.
// Level-triggered: it reconciles every terminating namespace on each event and on a resync timer.
import type { KObject } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import { StatusError } from '../api/errors.js';
import type { Logger } from '../util/log.js';
import { RestClient, resourcePath } from '../client/rest-client.js';

export interface NamespaceControllerDeps {
  client: RestClient;
  resources: ResourceInfo[];
  log: Logger;
  resyncMs?: number;
}

export async function runNamespaceController(deps: NamespaceControllerDeps, signal: AbortSignal): Promise<void> {
  const { client, log } = deps;
  const namespaced = deps.resources.filter((r) => r.namespaced && (r.verbs ?? ['list', 'delete']).includes('delete') && !(r.group === 'events.k8s.io'));
  const busy = new Set<string>();
  const reconcile = async (ns: KObject) => {
    const name = ns.metadata.name!;
    if (!ns.metadata.deletionTimestamp || busy.has(name)) return;
    busy.add(name);
    try {
      let remaining = 0;
      for (const r of namespaced) {
        const v = r.versions[0]!.version;
        const list = await client.list(resourcePath(r.group, v, r.resource, name));
        for (const item of list.items) {
          remaining++;
          if (item.metadata.deletionTimestamp) continue;
          try {
            await client.delete(resourcePath(r.group, v, r.resource, name, item.metadata.name), { propagationPolicy: 'Background' });
          } catch (e) {
            if (!(e instanceof StatusError && e.code === 404)) throw e;
          }
        }
      }
      if (remaining > 0) return; // next resync checks again
      const spec = (ns.spec ?? {}) as { finalizers?: string[] };
      if ((spec.finalizers ?? []).includes('kubernetes')) {
        const fresh = await client.get(resourcePath('', 'v1', 'namespaces', undefined, name));
        const fs = ((fresh.spec ?? {}) as { finalizers?: string[] }).finalizers ?? [];
        fresh.spec = { ...(fresh.spec as object), finalizers: fs.filter((f) => f !== 'kubernetes') };
        await client.update(resourcePath('', 'v1', 'namespaces', undefined, name, 'finalize'), fresh);
        log.info(`namespace ${name}: contents removed, finalized`);
      }
    } catch (e) {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) log.warn(`namespace ${name}: ${(e as Error).message}`);
    } finally {
      busy.delete(name);
    }
  };
  const resyncAll = async () => {
    try {
      const list = await client.list(resourcePath('', 'v1', 'namespaces'));
      await Promise.all(list.items.map(reconcile));
    } catch (e) {
      if (!signal.aborted) log.warn(`namespace resync: ${(e as Error).message}`);
    }
  };
  const timer = setInterval(() => void resyncAll(), deps.resyncMs ?? 2000);
  try {
    while (!signal.aborted) {
      try {
        await client.watch(resourcePath('', 'v1', 'namespaces'), (e) => {
          if (e.type === 'ADDED' || e.type === 'MODIFIED') void reconcile(e.object);
        }, signal);
      } catch (e) {
        if (!signal.aborted) log.warn(`namespace watch: ${(e as Error).message}`);
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    clearInterval(timer);
  }
}
