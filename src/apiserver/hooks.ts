// Wires built-in admission and allocation into each resource's store: namespace lifecycle for
// every namespaced resource, ClusterIP/NodePort allocation for Services, protected system
// namespaces, and graceful deletion of pods bound to a node.
import type { KObject } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import type { StoreHooks } from './registry/store.js';
import type { ServiceAllocations } from './allocators.js';
import { checkNamespaceDeletable, checkNamespaceLifecycle } from './admission.js';
import type { NamespaceLookup } from './admission.js';

export interface HookDeps {
  allocations: ServiceAllocations;
  lookupNamespace: NamespaceLookup;
}

export function buildHooks(info: ResourceInfo, deps: HookDeps): StoreHooks {
  const hooks: StoreHooks = {};
  const id = `${info.group}/${info.resource}`;
  const lifecycle = async (obj: KObject) => {
    if (info.namespaced) await checkNamespaceLifecycle(info, obj.metadata.namespace ?? '', obj.metadata.name ?? '', deps.lookupNamespace);
  };
  // Events may still be written while a namespace terminates (upstream exempts them too).
  const exempt = id === '/events' || id === 'events.k8s.io/events';
  if (info.namespaced && !exempt) hooks.beforeCreate = lifecycle;

  if (id === '/services') {
    hooks.beforeCreate = async (svc, ctx) => {
      await lifecycle(svc);
      deps.allocations.allocateNew(svc);
      void ctx;
    };
    hooks.abortCreate = async (svc) => deps.allocations.release(svc);
    hooks.beforeUpdate = async (svc, old, ctx, sub) => {
      if (sub === 'status' || ctx.dryRun) return;
      deps.allocations.allocateUpdate(svc, old);
    };
    hooks.afterDelete = async (svc) => deps.allocations.release(svc);
  }
  if (id === '/namespaces') {
    hooks.beforeDelete = async (ns) => checkNamespaceDeletable(ns.metadata.name ?? '');
  }
  if (id === '/pods') {
    hooks.gracePeriod = (pod, requested) => {
      const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
      const phase = (pod.status as { phase?: string } | undefined)?.phase;
      // Not on a node, or already finished: nothing to stop, delete now (as upstream).
      if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
      const g = requested ?? spec.terminationGracePeriodSeconds ?? 30;
      return Math.max(0, g);
    };
  }
  return hooks;
}
