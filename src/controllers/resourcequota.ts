// The ResourceQuota controller (upstream pkg/controller/resourcequota): keeps each quota's
// status.hard equal to spec.hard and status.used equal to what the namespace holds (see
// util/quota-usage.ts for what counts). Changes to counted objects requeue the namespace's
// quotas after a short delay, so a burst of pod events costs one recount. The admission plugin
// that refuses over-quota creates reads status.used.
import type { KObject } from '../api/types.js';
import { clone } from '../api/types.js';
import { resourcePath } from '../client/rest-client.js';
import type { CachedInformer } from '../client/informer.js';
import { objectKey } from '../client/informer.js';
import { Controller } from '../client/controller.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { computeUsage, countedResource, type QuotaSpec } from './util/quota-usage.js';
import { waitForCacheSync } from './util/sync.js';
import { jsonEqual } from './util/equal.js';

type Quota = KObject & { spec?: QuotaSpec; status?: { hard?: Record<string, unknown>; used?: Record<string, unknown> } };

/** Resources every quota may count without naming them as count/… (upstream's core evaluators). */
const ALWAYS_WATCHED = ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'];
const RECOUNT_DELAY_MS = 200;

export const resourceQuotaController: ControllerDef = {
  name: 'resourcequota',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client } = ctx;
    const quotas = ctx.informers.informer<Quota>('', 'v1', 'resourcequotas');
    const watched = new Map<string, CachedInformer<KObject>>();

    const requeueNamespace = (ns: string | undefined, delay: number) => {
      for (const q of quotas.list(ns)) controller.queue.addAfter(objectKey(q), delay);
    };
    /** The informer for group/resource, started (and wired) on first use. */
    const watch = (group: string, resource: string): CachedInformer<KObject> | undefined => {
      const key = `${group}/${resource}`;
      let inf = watched.get(key);
      if (inf) return inf;
      const info = ctx.resources.find((r) => r.group === group && r.resource === resource && r.namespaced);
      if (!info) return undefined;
      inf = ctx.informers.informer(group, info.versions[0]!.version, resource);
      inf.addHandler({
        onAdd: (o) => requeueNamespace(o.metadata.namespace, RECOUNT_DELAY_MS),
        onUpdate: (old, o) => old !== o && requeueNamespace(o.metadata.namespace, RECOUNT_DELAY_MS),
        onDelete: (o) => requeueNamespace(o.metadata.namespace, RECOUNT_DELAY_MS),
      });
      watched.set(key, inf);
      return inf;
    };

    const controller = new Controller({ name: 'resourcequota', log: ctx.log, workers: 2 }, async (key) => {
      const quota = quotas.getByKey(key);
      if (!quota) return;
      const ns = quota.metadata.namespace!;
      const hard = quota.spec?.hard ?? {};
      // count/<resource>.<group> quotas need that resource's informer; wait for its first list.
      for (const k of Object.keys(hard)) {
        const r = countedResource(k);
        const inf = r && watch(r.group, r.resource);
        if (inf && !inf.hasSynced) return { requeueAfterMs: 250 };
      }
      const used = computeUsage(quota.spec ?? {}, { list: (group, resource) => watched.get(`${group}/${resource}`)?.list(ns) });
      const status = { hard: { ...hard }, used };
      if (jsonEqual(quota.status?.hard ?? {}, status.hard) && jsonEqual(quota.status?.used ?? {}, status.used)) return;
      const next = clone(quota);
      next.status = status;
      await client.update(resourcePath('', 'v1', 'resourcequotas', ns, quota.metadata.name, 'status'), next);
    });

    for (const r of ALWAYS_WATCHED) watch('', r);
    quotas.addHandler({
      onAdd: (q) => controller.enqueue(objectKey(q)),
      onUpdate: (old, q) => {
        // Our own status writes need no recount; spec changes and resyncs do.
        if (old === q || !jsonEqual(old.spec, q.spec) || !jsonEqual(q.status?.hard ?? {}, q.spec?.hard ?? {})) controller.enqueue(objectKey(q));
      },
    });
    if (!(await waitForCacheSync([quotas, ...watched.values()], signal))) return;
    await controller.run(signal);
  },
};
