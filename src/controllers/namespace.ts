// The namespace controller: when a namespace is being deleted, deletes everything in it through
// the API, then removes the "kubernetes" finalizer (PUT .../finalize) so the namespace goes away.
// Level-triggered: a namespace still holding objects is looked at again shortly.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';
import { Controller } from '../client/controller.js';
import { discoverResources } from '../client/discovery.js';
import type { ControllerContext, ControllerDef } from './context.js';

export const namespaceController: ControllerDef = {
  name: 'namespace',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client } = ctx;
    const namespaces = ctx.informers.informer('', 'v1', 'namespaces');
    const controller = new Controller({ name: 'namespace', log: ctx.log, workers: 2 }, async (name) => {
      const ns = namespaces.get('', name);
      if (!ns || !ns.metadata.deletionTimestamp) return;
      let remaining = 0;
      // Everything the server serves now, custom resources included (discovery, not a fixed list).
      const namespaced = (await discoverResources(client)).filter((r) => r.namespaced && r.verbs.includes('delete') && r.verbs.includes('list') && r.group !== 'events.k8s.io');
      for (const r of namespaced) {
        const v = r.version;
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
      if (remaining > 0) return { requeueAfterMs: 1000 };
      const spec = (ns.spec ?? {}) as { finalizers?: string[] };
      if (!(spec.finalizers ?? []).includes('kubernetes')) return;
      const fresh = await client.get<KObject>(resourcePath('', 'v1', 'namespaces', undefined, name));
      const fs = ((fresh.spec ?? {}) as { finalizers?: string[] }).finalizers ?? [];
      fresh.spec = { ...(fresh.spec as object), finalizers: fs.filter((f) => f !== 'kubernetes') };
      await client.update(resourcePath('', 'v1', 'namespaces', undefined, name, 'finalize'), fresh);
      ctx.log.info(`namespace ${name}: contents removed, finalized`);
    });
    namespaces.addHandler({
      onAdd: (o) => controller.enqueue(o.metadata.name!),
      onUpdate: (_old, o) => controller.enqueue(o.metadata.name!),
    });
    await controller.run(signal);
  },
};
