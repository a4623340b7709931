// Quota evaluators (upstream pkg/quota/v1/evaluator/core and generic object counts): for one kind
// of object, which quota resource names it is charged under, how much one object uses, which quota
// scopes it falls in, and the "must specify" rule for cpu/memory quotas.
import type { KObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { PodSpec } from './types.js';
import type { ResourceList } from '../../api/quantity.js';
import { addInto, fromInt, parseQuantity, parseResourceList } from '../../api/quantity.js';
import { podTotals } from './limit-ranger.js';

export interface Evaluator {
  /** Whether a create (or update) of this kind can change usage. */
  handles(operation: 'CREATE' | 'UPDATE'): boolean;
  /** Whether quota resource `name` is one this kind is charged under. */
  matches(name: string): boolean;
  /** Whether the object falls in every scope of the quota (no scopes: everything does). */
  matchesScopes(quota: KObject, obj: KObject): boolean;
  usage(obj: KObject, now: number): ResourceList;
  /** Upstream's backward-compatible rule: `must specify requests.cpu for: c; ...`, or undefined. */
  constraints?(required: string[], obj: KObject): string | undefined;
}

interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

export function quotaScopes(quota: KObject): ScopeRequirement[] {
  const spec = (quota.spec ?? {}) as { scopes?: string[]; scopeSelector?: { matchExpressions?: ScopeRequirement[] } };
  return [...(spec.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' })), ...(spec.scopeSelector?.matchExpressions ?? [])];
}

/** count/<resource>[.<group>], the generic object-count name. */
export function objectCountName(info: ResourceInfo): string {
  return `count/${info.resource}${info.group ? '.' + info.group : ''}`;
}

// Core resources whose object count is also quota-able under the bare plural (pre count/ names).
const LEGACY_COUNTS = new Set(['configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas']);

function objectCountEvaluator(info: ResourceInfo): Evaluator {
  const names = new Set([objectCountName(info)]);
  if (info.group === '' && LEGACY_COUNTS.has(info.resource)) names.add(info.resource);
  return {
    handles: (op) => op === 'CREATE',
    matches: (n) => names.has(n),
    matchesScopes: (q) => quotaScopes(q).length === 0,
    usage: () => new Map([...names].map((n) => [n, fromInt(1)])),
  };
}

// --- pods --------------------------------------------------------------------------------------

const POD_RESOURCES = new Set([
  'count/pods', 'pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
// Quotas on these must be matched by an explicit value in every container (a historical rule).
const VALIDATION_SET = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

function isNative(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

function isExtended(name: string): boolean {
  return !isNative(name) && !name.startsWith('requests.');
}

/** Requests and limits as quota names (podComputeUsageHelper). */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([['pods', fromInt(1)]]);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(r);
    if (req) out.set(r, req).set(`requests.${r}`, req);
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  for (const [r, q] of requests) {
    if (r.startsWith('hugepages-')) out.set(r, q).set(`requests.${r}`, q);
    if (isExtended(r)) out.set(`requests.${r}`, q);
  }
  return out;
}

/** QuotaV1Pod: terminal pods, and pods past their deletion grace, no longer use compute quota. */
function podCharged(pod: KObject, now: number): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const del = pod.metadata.deletionTimestamp;
  if (del && pod.metadata.deletionGracePeriodSeconds !== undefined) {
    if (now > Date.parse(del) + pod.metadata.deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

function isBestEffort(spec: PodSpec): boolean {
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].every((c) => {
    const has = (l: Record<string, unknown> | undefined) => l !== undefined && ('cpu' in l || 'memory' in l);
    return !has(c.resources?.requests) && !has(c.resources?.limits);
  });
}

function crossNamespaceAffinity(pod: KObject): boolean {
  const aff = (pod.spec as { affinity?: Record<string, Record<string, unknown[]>> } | undefined)?.affinity ?? {};
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = aff[kind] ?? {};
    const terms = [...((a.requiredDuringSchedulingIgnoredDuringExecution ?? []) as { namespaces?: string[]; namespaceSelector?: unknown }[])];
    for (const w of (a.preferredDuringSchedulingIgnoredDuringExecution ?? []) as { podAffinityTerm?: { namespaces?: string[]; namespaceSelector?: unknown } }[]) {
      if (w.podAffinityTerm) terms.push(w.podAffinityTerm);
    }
    if (terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector !== undefined)) return true;
  }
  return false;
}

function podMatchesScope(s: ScopeRequirement, pod: KObject): boolean {
  const spec = (pod.spec ?? {}) as PodSpec;
  const terminating = typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds >= 0;
  const pc = spec.priorityClassName ?? '';
  switch (s.scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return isBestEffort(spec);
    case 'NotBestEffort':
      return !isBestEffort(spec);
    case 'CrossNamespacePodAffinity':
      return crossNamespaceAffinity(pod);
    case 'PriorityClass':
      if (s.operator === 'Exists') return pc !== '';
      if (s.operator === 'DoesNotExist') return pc === '';
      if (s.operator === 'In') return pc !== '' && (s.values ?? []).includes(pc);
      if (s.operator === 'NotIn') return pc === '' || !(s.values ?? []).includes(pc);
      return false;
    default:
      return false;
  }
}

const podEvaluator: Evaluator = {
  handles: (op) => op === 'CREATE',
  matches: (n) => POD_RESOURCES.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || (n.startsWith('requests.') && !isNative(n)),
  matchesScopes: (q, pod) => quotaScopes(q).every((s) => podMatchesScope(s, pod)),
  usage(pod, now) {
    const out: ResourceList = new Map([['count/pods', fromInt(1)]]);
    if (!podCharged(pod, now)) return out;
    const { requests, limits } = podTotals((pod.spec ?? {}) as PodSpec);
    return addInto(out, computeUsage(requests, limits));
  },
  constraints(required, pod) {
    const needed = required.filter((r) => VALIDATION_SET.has(r));
    if (!needed.length) return undefined;
    const missing = new Map<string, Set<string>>();
    const spec = (pod.spec ?? {}) as PodSpec;
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      const have = computeUsage(parseResourceList(c.resources?.requests), parseResourceList(c.resources?.limits));
      for (const r of needed) if (!have.has(r)) (missing.get(r) ?? missing.set(r, new Set()).get(r)!).add(c.name ?? '');
    }
    if (!missing.size) return undefined;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
};

// --- services and persistent volume claims -------------------------------------------------------

const serviceEvaluator: Evaluator = {
  handles: () => true,
  matches: (n) => ['count/services', 'services', 'services.nodeports', 'services.loadbalancers'].includes(n),
  matchesScopes: (q) => quotaScopes(q).length === 0,
  usage(svc) {
    const spec = (svc.spec ?? {}) as { type?: string; ports?: { nodePort?: number }[]; allocateLoadBalancerNodePorts?: boolean };
    const ports = spec.ports ?? [];
    const out: ResourceList = new Map([['services', fromInt(1)], ['count/services', fromInt(1)]]);
    if (spec.type === 'NodePort') out.set('services.nodeports', fromInt(ports.length));
    if (spec.type === 'LoadBalancer') {
      // Without node port allocation only explicitly requested node ports count.
      const n = spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length;
      out.set('services.nodeports', fromInt(n)).set('services.loadbalancers', fromInt(1));
    }
    return out;
  },
};

const SC_SUFFIX = '.storageclass.storage.k8s.io/';

const claimEvaluator: Evaluator = {
  handles: () => true,
  matches: (n) => ['count/persistentvolumeclaims', 'persistentvolumeclaims', 'requests.storage'].includes(n) || n.endsWith(SC_SUFFIX + 'requests.storage') || n.endsWith(SC_SUFFIX + 'persistentvolumeclaims'),
  matchesScopes: (q) => quotaScopes(q).length === 0,
  usage(pvc) {
    const spec = (pvc.spec ?? {}) as { storageClassName?: string; resources?: { requests?: Record<string, unknown> } };
    const cls = spec.storageClassName ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
    const out: ResourceList = new Map([['persistentvolumeclaims', fromInt(1)], ['count/persistentvolumeclaims', fromInt(1)]]);
    if (cls) out.set(cls + SC_SUFFIX + 'persistentvolumeclaims', fromInt(1));
    const storage = parseQuantity(spec.resources?.requests?.storage);
    if (storage) {
      out.set('requests.storage', storage);
      if (cls) out.set(cls + SC_SUFFIX + 'requests.storage', storage);
    }
    return out;
  },
};

export function evaluatorFor(info: ResourceInfo): Evaluator {
  if (info.group === '' && info.resource === 'pods') return podEvaluator;
  if (info.group === '' && info.resource === 'services') return serviceEvaluator;
  if (info.group === '' && info.resource === 'persistentvolumeclaims') return claimEvaluator;
  return objectCountEvaluator(info);
}
