// LimitRanger admission (upstream plugin/pkg/admission/limitranger): containers of new pods get
// the namespace's LimitRange defaults (default → limits, defaultRequest → requests, recorded in
// the kubernetes.io/limit-ranger annotation); pods and PVCs outside a range's min, max or
// maxLimitRequestRatio are refused with upstream's messages.
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { AdmissionRequest, ContainerSpec, PodSpec, Stores } from './types.js';
import { admissionForbidden, listIn, podSpec } from './types.js';
import type { Quantity, ResourceList } from '../../api/quantity.js';
import { ZERO, add, cmp, formatQuantity, max, parseQuantity, parseResourceList, toNumber } from '../../api/quantity.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

interface LimitRangeItem {
  type?: string;
  min?: Record<string, unknown>;
  max?: Record<string, unknown>;
  default?: Record<string, unknown>;
  defaultRequest?: Record<string, unknown>;
  maxLimitRequestRatio?: Record<string, unknown>;
}

function itemsOf(lr: KObject): LimitRangeItem[] {
  const spec = lr.spec as { limits?: LimitRangeItem[] } | undefined;
  return Array.isArray(spec?.limits) ? spec.limits : [];
}

function handles(req: AdmissionRequest): boolean {
  // Pods on create only (their containers cannot change later), PVCs on create and update; never
  // subresources (upstream's LimitRanger does the same).
  if (req.subresource || req.info.group !== '') return false;
  return (req.info.resource === 'pods' && req.operation === 'CREATE') || req.info.resource === 'persistentvolumeclaims';
}

/** Mutating half: the defaults of every LimitRange in the namespace, applied to a new pod. */
export async function admitLimitRangeDefaults(req: AdmissionRequest, stores: Stores): Promise<void> {
  if (!handles(req) || req.info.resource !== 'pods') return;
  for (const lr of await listIn(stores, '', 'limitranges', req.namespace)) applyPodDefaults(req.obj, itemsOf(lr));
}

/** Validating half: the first LimitRange the object violates refuses it with all its violations. */
export async function validateLimitRanges(req: AdmissionRequest, stores: Stores): Promise<void> {
  if (!handles(req)) return;
  for (const lr of await listIn(stores, '', 'limitranges', req.namespace)) {
    const errs = req.info.resource === 'pods' ? validatePod(podSpec(req.obj), itemsOf(lr)) : validateClaim(req.obj, itemsOf(lr));
    if (errs.length) throw admissionForbidden(req, errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);
  }
}

function applyPodDefaults(pod: KObject, items: LimitRangeItem[]): void {
  const defLimits: Record<string, unknown> = {};
  const defRequests: Record<string, unknown> = {};
  for (const item of items) {
    if (item.type !== 'Container') continue;
    Object.assign(defLimits, item.default ?? {});
    Object.assign(defRequests, item.defaultRequest ?? {});
  }
  const notes: string[] = [];
  const spec = podSpec(pod);
  for (const c of spec.containers ?? []) notes.push(...mergeDefaults(c, defLimits, defRequests, 'container'));
  for (const c of spec.initContainers ?? []) notes.push(...mergeDefaults(c, defLimits, defRequests, 'init container'));
  if (notes.length) {
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
  }
}

function mergeDefaults(c: ContainerSpec, limits: Record<string, unknown>, requests: Record<string, unknown>, prefix: string): string[] {
  const res = (c.resources = isPlainObject(c.resources) ? c.resources : {});
  const lim = (res.limits = isPlainObject(res.limits) ? res.limits : {});
  const reqs = (res.requests = isPlainObject(res.requests) ? res.requests : {});
  const setLimits = Object.keys(limits).filter((k) => !(k in lim)).sort();
  const setRequests = Object.keys(requests).filter((k) => !(k in reqs)).sort();
  for (const k of setLimits) lim[k] = limits[k];
  for (const k of setRequests) reqs[k] = requests[k];
  if (!Object.keys(lim).length) delete res.limits;
  if (!Object.keys(reqs).length) delete res.requests;
  const notes: string[] = [];
  if (setRequests.length) notes.push(`${setRequests.join(', ')} request for ${prefix} ${c.name ?? ''}`);
  if (setLimits.length) notes.push(`${setLimits.join(', ')} limit for ${prefix} ${c.name ?? ''}`);
  return notes;
}

function sortedEntries(v: Record<string, unknown> | undefined): [string, Quantity][] {
  const out: [string, Quantity][] = [];
  for (const k of Object.keys(v ?? {}).sort()) {
    const q = parseQuantity(v![k]);
    if (q) out.push([k, q]);
  }
  return out;
}

function validatePod(spec: PodSpec, items: LimitRangeItem[]): string[] {
  const errs: string[] = [];
  for (const item of items) {
    if (item.type === 'Container') {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        errs.push(...checkItem('Container', item, parseResourceList(c.resources?.requests), parseResourceList(c.resources?.limits)));
      }
    } else if (item.type === 'Pod') {
      const { requests, limits } = podTotals(spec);
      errs.push(...checkItem('Pod', item, requests, limits));
    }
  }
  return errs;
}

function checkItem(type: string, item: LimitRangeItem, requests: ResourceList, limits: ResourceList): string[] {
  const errs: string[] = [];
  for (const [k, q] of sortedEntries(item.min)) push(errs, minConstraint(type, k, q, requests, limits));
  for (const [k, q] of sortedEntries(item.max)) push(errs, maxConstraint(type, k, q, requests, limits));
  for (const [k, q] of sortedEntries(item.maxLimitRequestRatio)) push(errs, ratioConstraint(type, k, q, requests, limits));
  return errs;
}

function push(errs: string[], e: string | undefined): void {
  if (e) errs.push(e);
}

function minConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const e = formatQuantity(enforced);
  if (!req) return `minimum ${name} usage per ${type} is ${e}.  No request is specified`;
  if (cmp(req, enforced) < 0) return `minimum ${name} usage per ${type} is ${e}, but request is ${formatQuantity(req)}`;
  if (lim && cmp(lim, enforced) < 0) return `minimum ${name} usage per ${type} is ${e}, but limit is ${formatQuantity(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const e = formatQuantity(enforced);
  if (!lim) return `maximum ${name} usage per ${type} is ${e}.  No limit is specified`;
  if (cmp(lim, enforced) > 0) return `maximum ${name} usage per ${type} is ${e}, but limit is ${formatQuantity(lim)}`;
  if (req && cmp(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${e}, but request is ${formatQuantity(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const e = formatQuantity(enforced);
  if (!req || req.nanos === 0n) return `${name} max limit to request ratio per ${type} is ${e}, but no request is specified or request is 0`;
  if (!lim || lim.nanos === 0n) return `${name} max limit to request ratio per ${type} is ${e}, but no limit is specified or limit is 0`;
  const ratio = toNumber(lim) / toNumber(req);
  if (ratio > toNumber(enforced)) return `${name} max limit to request ratio per ${type} is ${e}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

/** Pod-level totals: containers summed, each init container as a floor, plus overhead. */
export function podTotals(spec: PodSpec): { requests: ResourceList; limits: ResourceList } {
  const total = (field: 'requests' | 'limits'): ResourceList => {
    const sum: ResourceList = new Map();
    for (const c of spec.containers ?? []) {
      for (const [k, q] of parseResourceList(c.resources?.[field])) sum.set(k, add(sum.get(k) ?? ZERO, q));
    }
    for (const c of spec.initContainers ?? []) {
      for (const [k, q] of parseResourceList(c.resources?.[field])) sum.set(k, max(sum.get(k) ?? ZERO, q));
    }
    for (const [k, q] of parseResourceList(spec.overhead)) if (field === 'requests' || sum.has(k)) sum.set(k, add(sum.get(k) ?? ZERO, q));
    return sum;
  };
  return { requests: total('requests'), limits: total('limits') };
}

function validateClaim(pvc: KObject, items: LimitRangeItem[]): string[] {
  const requests = parseResourceList((pvc.spec as { resources?: { requests?: unknown } } | undefined)?.resources?.requests);
  const errs: string[] = [];
  for (const item of items) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, q] of sortedEntries(item.min)) push(errs, minConstraint('PersistentVolumeClaim', k, q, requests, new Map()));
    for (const [k, q] of sortedEntries(item.max)) {
      const req = requests.get(k);
      const e = formatQuantity(q);
      if (!req) errs.push(`maximum ${k} usage per PersistentVolumeClaim is ${e}.  No request is specified`);
      else if (cmp(req, q) > 0) errs.push(`maximum ${k} usage per PersistentVolumeClaim is ${e}, but request is ${formatQuantity(req)}`);
    }
  }
  return errs;
}
