// Planning for the EndpointSlice controller, kept pure so it can be tested alone: given a
// Service's desired endpoints (grouped by their resolved port set) and its existing slices,
// decide which slices to create, update and delete, as upstream's reconciler does in spirit —
// endpoints stay in the slice they are already in, new ones fill slices with room before a new
// slice is made, slices left empty are deleted, and a Service with no endpoints keeps a single
// empty placeholder slice.
import type { KObject } from '../api/types.js';
import { canonicalJson } from './util/equal.js';

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export type EndpointSlice = KObject & { addressType: string; endpoints?: SliceEndpoint[] | null; ports?: SlicePort[] | null };

export interface DesiredGroup {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export interface SlicePlan {
  create: { ports: SlicePort[]; endpoints: SliceEndpoint[] }[];
  update: { slice: EndpointSlice; ports: SlicePort[]; endpoints: SliceEndpoint[] }[];
  delete: EndpointSlice[];
}

export function portsKey(ports: SlicePort[] | null | undefined): string {
  return canonicalJson([...(ports ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.port - b.port));
}

/** The identity of an endpoint across syncs: its pod, or its address. */
function endpointKey(e: SliceEndpoint): string {
  return e.targetRef?.uid ?? e.addresses[0] ?? '';
}

export function planSlices(desired: DesiredGroup[], existing: EndpointSlice[], maxPerSlice: number, placeholder: boolean): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const byKey = new Map<string, EndpointSlice[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const k = portsKey(s.ports);
    byKey.set(k, [...(byKey.get(k) ?? []), s]);
  }
  let total = 0;
  const used = new Set<EndpointSlice>();
  for (const group of desired) {
    if (group.endpoints.length === 0) continue;
    total += group.endpoints.length;
    const key = portsKey(group.ports);
    const want = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
    const placed = new Set<string>();
    const slices = (byKey.get(key) ?? []).map((slice) => {
      used.add(slice);
      const kept: SliceEndpoint[] = [];
      for (const e of slice.endpoints ?? []) {
        const k = endpointKey(e);
        const d = want.get(k);
        if (d && !placed.has(k) && kept.length < maxPerSlice) {
          kept.push(d);
          placed.add(k);
        }
      }
      return { slice, endpoints: kept };
    });
    const rest = group.endpoints.filter((e) => !placed.has(endpointKey(e)));
    // New endpoints go first to slices that are written anyway, then to the fullest ones, so
    // emptied slices can be deleted rather than refilled.
    const changed = (x: { slice: EndpointSlice; endpoints: SliceEndpoint[] }) => (canonicalJson(x.endpoints) !== canonicalJson(x.slice.endpoints ?? []) && x.endpoints.length > 0 ? 1 : 0);
    const fillOrder = [...slices].sort((a, b) => changed(b) - changed(a) || b.endpoints.length - a.endpoints.length);
    for (const s of fillOrder) {
      while (rest.length > 0 && s.endpoints.length < maxPerSlice) s.endpoints.push(rest.shift()!);
    }
    while (rest.length > 0) plan.create.push({ ports: group.ports, endpoints: rest.splice(0, maxPerSlice) });
    for (const s of slices) {
      if (s.endpoints.length === 0) plan.delete.push(s.slice);
      else if (canonicalJson(s.endpoints) !== canonicalJson(s.slice.endpoints ?? []) || portsKey(s.slice.ports) !== key) plan.update.push({ slice: s.slice, ports: group.ports, endpoints: s.endpoints });
    }
  }
  const unused = existing.filter((s) => !used.has(s));
  if (total === 0 && placeholder) {
    // Keep (or make) one empty slice so consumers can tell "no endpoints" from "not synced".
    const keep = [...existing].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))[0];
    if (keep) {
      if ((keep.endpoints ?? []).length > 0 || (keep.ports ?? []).length > 0) plan.update.push({ slice: keep, ports: [], endpoints: [] });
    } else plan.create.push({ ports: [], endpoints: [] });
    plan.delete = [...plan.delete, ...unused].filter((s) => s !== keep);
    return plan;
  }
  plan.delete.push(...unused);
  // A slice about to be deleted is recycled for one about to be created (fewer writes, and
  // watchers see the placeholder turn into the real slice), as upstream does.
  while (plan.create.length > 0 && plan.delete.length > 0) {
    const c = plan.create.pop()!;
    plan.update.push({ slice: plan.delete.shift()!, ports: c.ports, endpoints: c.endpoints });
  }
  return plan;
}
