// ResourceQuota usage, as upstream's quota evaluators count it (pkg/quota/v1/evaluator/core):
// pods (non-terminal) and their requests/limits, services and their node ports/load balancers,
// persistentvolumeclaims and storage (also per storage class), object counts (`count/<resource>
// [.<group>]` and the legacy names), and pod scopes (Terminating, NotTerminating, BestEffort,
// NotBestEffort, PriorityClass, CrossNamespacePodAffinity). Pure functions over object lists.
import type { KObject } from '../../api/types.js';
import { addQuantity, countQuantity, formatQuantity, parseQuantity, zeroQuantity, type Quantity } from './quantity.js';
import { isPodTerminal, podResources, type Pod } from './pod.js';

export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface QuotaSpec {
  hard?: Record<string, unknown>;
  scopes?: string[];
  scopeSelector?: { matchExpressions?: ScopeRequirement[] };
}

/** Legacy object-count names and the resource each counts. */
export const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

/** The `group/resource` a quota key counts objects of (`count/deployments.apps` → apps/deployments). */
export function countedResource(key: string): { group: string; resource: string } | undefined {
  if (key in LEGACY_COUNTS) return { group: '', resource: LEGACY_COUNTS[key]! };
  if (!key.startsWith('count/')) return undefined;
  const rest = key.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}

function scopeRequirements(spec: QuotaSpec): ScopeRequirement[] {
  return [...(spec.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' })), ...(spec.scopeSelector?.matchExpressions ?? [])];
}

function isBestEffort(pod: Pod): boolean {
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const list of [c.resources?.requests, c.resources?.limits]) {
      for (const k of Object.keys(list ?? {})) if (k === 'cpu' || k === 'memory') return false;
    }
  }
  return true;
}

function hasCrossNamespaceAffinity(pod: Pod): boolean {
  const aff = pod.spec?.affinity as Record<string, { requiredDuringSchedulingIgnoredDuringExecution?: { namespaces?: string[]; namespaceSelector?: unknown }[]; preferredDuringSchedulingIgnoredDuringExecution?: { podAffinityTerm?: { namespaces?: string[]; namespaceSelector?: unknown } }[] }> | undefined;
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = aff?.[kind];
    const terms = [...(a?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm ?? {})];
    if (terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector != null)) return true;
  }
  return false;
}

function podMatchesScope(pod: Pod, r: ScopeRequirement): boolean {
  const terminating = typeof pod.spec?.activeDeadlineSeconds === 'number' && pod.spec.activeDeadlineSeconds >= 0;
  let matches: boolean;
  switch (r.scopeName) {
    case 'Terminating': matches = terminating; break;
    case 'NotTerminating': matches = !terminating; break;
    case 'BestEffort': matches = isBestEffort(pod); break;
    case 'NotBestEffort': matches = !isBestEffort(pod); break;
    case 'CrossNamespacePodAffinity': matches = hasCrossNamespaceAffinity(pod); break;
    case 'PriorityClass': {
      const pc = pod.spec?.priorityClassName ?? '';
      if (r.operator === 'Exists') return pc !== '';
      if (r.operator === 'DoesNotExist') return pc === '';
      if (r.operator === 'In') return (r.values ?? []).includes(pc);
      if (r.operator === 'NotIn') return !(r.values ?? []).includes(pc);
      return false;
    }
    default: return false;
  }
  // Scopes without values: Exists (also what spec.scopes means) selects, DoesNotExist inverts.
  return r.operator === 'DoesNotExist' ? !matches : matches;
}

/** Upstream QuotaV1Pod: terminal pods, and pods past their deletion grace period, do not count. */
export function podCountsForQuota(pod: Pod, now = Date.now()): boolean {
  if (isPodTerminal(pod)) return false;
  const dt = pod.metadata.deletionTimestamp;
  if (dt && pod.metadata.deletionGracePeriodSeconds !== undefined) {
    if (now > Date.parse(dt) + pod.metadata.deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

const POD_COMPUTE = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** Whether a quota key is computed from pods (and so subject to pod scopes). */
function isPodResource(key: string): boolean {
  if (key === 'pods' || key === 'count/pods') return true;
  if (POD_COMPUTE.has(key) || key.startsWith('hugepages-')) return true;
  return key.startsWith('requests.') || key.startsWith('limits.') ? !key.startsWith('requests.storage') : false;
}

export interface NamespaceObjects {
  /** Objects of `group/resource` in the namespace (undefined: not known). */
  list(group: string, resource: string): KObject[] | undefined;
}

function storageRequest(pvc: KObject): Quantity {
  const spec = pvc.spec as { resources?: { requests?: Record<string, unknown> } } | undefined;
  return parseQuantity(spec?.resources?.requests?.storage) ?? zeroQuantity;
}

function pvcClass(pvc: KObject): string {
  const spec = pvc.spec as { storageClassName?: string } | undefined;
  return spec?.storageClassName ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

/** status.used for a quota: every hard key gets a value ("0" when nothing counts). */
export function computeUsage(spec: QuotaSpec, objs: NamespaceObjects, now = Date.now()): Record<string, string> {
  const scopes = scopeRequirements(spec);
  const pods = ((objs.list('', 'pods') ?? []) as Pod[]).filter((p) => podCountsForQuota(p, now) && scopes.every((s) => podMatchesScope(p, s)));
  const podReq = pods.map((p) => podResources(p, 'requests'));
  const podLim = pods.map((p) => podResources(p, 'limits'));
  const sum = (lists: Map<string, Quantity>[], name: string) => lists.reduce((acc, l) => addQuantity(acc, l.get(name) ?? zeroQuantity), zeroQuantity);
  const used: Record<string, string> = {};
  for (const key of Object.keys(spec.hard ?? {})) {
    let q: Quantity = zeroQuantity;
    if (scopes.length > 0 && !isPodResource(key)) q = zeroQuantity; // scoped quotas count pods only
    else if (key === 'pods' || key === 'count/pods') q = countQuantity(pods.length);
    else if (POD_COMPUTE.has(key) || key.startsWith('hugepages-')) q = sum(podReq, key);
    else if (key.startsWith('requests.') && key !== 'requests.storage') q = sum(podReq, key.slice('requests.'.length));
    else if (key.startsWith('limits.')) q = sum(podLim, key.slice('limits.'.length));
    else if (key === 'requests.storage' || key.endsWith('.storageclass.storage.k8s.io/requests.storage')) {
      const cls = key === 'requests.storage' ? undefined : key.slice(0, -'.storageclass.storage.k8s.io/requests.storage'.length);
      for (const pvc of objs.list('', 'persistentvolumeclaims') ?? []) if (cls === undefined || pvcClass(pvc) === cls) q = addQuantity(q, storageRequest(pvc));
    } else if (key.endsWith('.storageclass.storage.k8s.io/persistentvolumeclaims')) {
      const cls = key.slice(0, -'.storageclass.storage.k8s.io/persistentvolumeclaims'.length);
      q = countQuantity((objs.list('', 'persistentvolumeclaims') ?? []).filter((p) => pvcClass(p) === cls).length);
    } else if (key === 'services.nodeports' || key === 'services.loadbalancers') {
      let n = 0;
      for (const svc of objs.list('', 'services') ?? []) {
        const s = (svc.spec ?? {}) as { type?: string; ports?: { nodePort?: number }[] };
        if (key === 'services.loadbalancers') n += s.type === 'LoadBalancer' ? 1 : 0;
        else if (s.type === 'NodePort') n += (s.ports ?? []).length;
        else if (s.type === 'LoadBalancer') n += (s.ports ?? []).filter((p) => p.nodePort).length;
      }
      q = countQuantity(n);
    } else {
      const r = countedResource(key);
      const items = r ? objs.list(r.group, r.resource) : undefined;
      if (items) q = countQuantity(items.length);
    }
    used[key] = formatQuantity(q);
  }
  return used;
}
