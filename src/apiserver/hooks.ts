// Wires built-in admission and allocation into each resource's store: namespace lifecycle for
// every namespaced resource, the admission chain (LimitRanger, ServiceAccount, Priority,
// DefaultTolerationSeconds, ResourceQuota) with quota's per-namespace serialization,
// ClusterIP/NodePort allocation for Services, protected system namespaces, and graceful deletion
// of pods bound to a node. Admission webhooks (mutating and validating) run inside the chain;
// deletes go through the validating webhooks.
import type { KObject } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import type { RequestContext, StoreHooks } from './registry/store.js';
import type { ServiceAllocations } from './allocators.js';
import { checkNamespaceDeletable, checkNamespaceLifecycle } from './admission/namespace-lifecycle.js';
import type { NamespaceLookup } from './admission/namespace-lifecycle.js';
import type { AdmissionRequest, Stores } from './admission/types.js';
import { runAdmission, runDeleteAdmission } from './admission/chain.js';
import { WebhookAdmission } from './admission/webhook.js';
import { QuotaAdmission } from './admission/resource-quota.js';
import type { ClusterLock } from './cluster-lock.js';
import { setRequester } from './registry/csr-strategy.js';
import type { Authorization } from './authz/authorization.js';
import { admitAuthorization } from './authz/admission.js';

export interface HookDeps {
  allocations: ServiceAllocations;
  lookupNamespace: NamespaceLookup;
  /** Every resource's store (filled as stores are built; read only when requests arrive). */
  stores: Stores;
  /** NodeRestriction and RBAC escalation checks; absent: writes are not restricted by identity. */
  authorization?: Authorization;
  /** Set when API servers share the datastore: quota admission locks namespaces cluster-wide. */
  clusterLock?: ClusterLock;
  /** Marks what every stored Service holds (with clusterLock, before allocating for a Service). */
  adoptStoredServices?: () => Promise<void>;
}

// One quota admission (and so one lock per namespace) for all stores of a server.
const quotaAdmissions = new WeakMap<Stores, QuotaAdmission>();

function quotaFor(stores: Stores, clusterLock?: ClusterLock): QuotaAdmission {
  let q = quotaAdmissions.get(stores);
  if (!q) quotaAdmissions.set(stores, (q = new QuotaAdmission(stores, clusterLock)));
  return q;
}

// Likewise one webhook dispatcher per server.
const webhookAdmissions = new WeakMap<Stores, WebhookAdmission>();

function webhooksFor(deps: HookDeps): WebhookAdmission {
  let w = webhookAdmissions.get(deps.stores);
  if (!w) webhookAdmissions.set(deps.stores, (w = new WebhookAdmission(deps.stores, deps.lookupNamespace)));
  return w;
}

export function buildHooks(info: ResourceInfo, deps: HookDeps): StoreHooks {
  const hooks: StoreHooks = {};
  const id = `${info.group}/${info.resource}`;
  const quota = quotaFor(deps.stores, deps.clusterLock);
  const webhooks = webhooksFor(deps);
  // Events may still be written while a namespace terminates (upstream exempts them too).
  const exempt = id === '/events' || id === 'events.k8s.io/events';
  const request = (operation: AdmissionRequest['operation'], obj: KObject, ctx: RequestContext, subresource: string, old?: KObject): AdmissionRequest => ({
    info, operation, obj, old, subresource, ctx, namespace: info.namespaced ? (obj.metadata.namespace ?? '') : '',
  });

  hooks.beforeCreate = async (obj, ctx) => {
    if (info.namespaced && !exempt) await checkNamespaceLifecycle(info, obj.metadata.namespace ?? '', obj.metadata.name ?? '', deps.lookupNamespace);
    if (deps.authorization) await admitAuthorization(deps.authorization, info, 'CREATE', obj, undefined, '', ctx);
    await runAdmission(request('CREATE', obj, ctx, ''), deps.stores, quota, webhooks);
    // Allocate last: a refused Service must not hold an IP or node port.
    if (id === '/services') deps.allocations.allocateNew(obj);
  };
  if (id === 'certificates.k8s.io/certificatesigningrequests') {
    // The requester is whoever creates the CSR, never what the body claims (as upstream).
    const admit = hooks.beforeCreate;
    hooks.beforeCreate = async (obj, ctx) => {
      setRequester(obj, ctx.user);
      await admit(obj, ctx);
    };
  }
  hooks.beforeUpdate = async (obj, old, ctx, sub) => {
    if (deps.authorization) await admitAuthorization(deps.authorization, info, 'UPDATE', obj, old, sub, ctx);
    await runAdmission(request('UPDATE', obj, ctx, sub, old), deps.stores, quota, webhooks);
    if (id === '/services' && sub !== 'status' && !ctx.dryRun) deps.allocations.allocateUpdate(obj, old);
  };
  hooks.serialize = (obj, operation, sub, write) => quota.serialize(info, obj, operation, sub, write);
  if (id === '/services' && deps.clusterLock && deps.adoptStoredServices) {
    // Servers sharing the datastore allocate ClusterIPs and node ports one at a time, each after
    // marking what every stored Service holds (the watch may lag behind another server's write).
    const { clusterLock, adoptStoredServices } = deps;
    hooks.serialize = (obj, operation, sub, write) =>
      sub === 'status' ? quota.serialize(info, obj, operation, sub, write) : clusterLock.hold('service-allocations', async () => {
        await adoptStoredServices();
        return quota.serialize(info, obj, operation, sub, write);
      });
  }

  if (id === '/services') {
    hooks.abortCreate = async (svc) => deps.allocations.release(svc);
    hooks.afterDelete = async (svc) => deps.allocations.release(svc);
  }
  hooks.beforeDelete = async (obj, ctx) => {
    if (id === '/namespaces') checkNamespaceDeletable(obj.metadata.name ?? '');
    if (deps.authorization) await admitAuthorization(deps.authorization, info, 'DELETE', obj, undefined, '', ctx);
    await runDeleteAdmission(info, obj, ctx, webhooks);
  };
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
