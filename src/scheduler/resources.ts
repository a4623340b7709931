// Resource arithmetic as the scheduler's framework.Resource: cpu in millicores, memory and
// ephemeral-storage in bytes, extended ("scalar") resources as integers, and the pod request
// rules of upstream's resourcehelper.PodRequests: containers summed, sidecars (restartable init
// containers) added to the steady state, each regular init container taking the max with the
// sidecars started before it, and the pod overhead on top.
import { parseQuantity } from '../api/validation/quantity.js';
import type { Container, Pod, ResourceList } from './types.js';

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  scalar: Map<string, number>;
}

/** Requests used for scoring when a container sets none (upstream's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() };
}

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: new Map(r.scalar) };
}

// Quantities are decimals; round up as resource.Quantity's Value/MilliValue do, tolerating float noise.
const ceil = (v: number): number => Math.ceil(v - 1e-9);

export function milliValue(q: unknown): number {
  const v = parseQuantity(q);
  return v === undefined ? 0 : ceil(v * 1000);
}

export function value(q: unknown): number {
  const v = parseQuantity(q);
  return v === undefined ? 0 : ceil(v);
}

/** A ResourceList (node allocatable, container requests) as a Resource. */
export function resourceFromList(list: ResourceList | undefined): Resource {
  const r = emptyResource();
  if (!list) return r;
  for (const [name, q] of Object.entries(list)) {
    if (name === 'cpu') r.milliCPU = milliValue(q);
    else if (name === 'memory') r.memory = value(q);
    else if (name === 'ephemeral-storage') r.ephemeralStorage = value(q);
    else if (name === 'pods') r.allowedPodNumber = value(q);
    else if (isScalarResourceName(name)) r.scalar.set(name, value(q));
  }
  return r;
}

/** Extended resources, hugepages and attachable volumes (v1helper.IsScalarResourceName). */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const domain = name.slice(0, slash);
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io') && !name.startsWith('requests.');
}

function add(a: Resource, b: Resource): void {
  a.milliCPU += b.milliCPU;
  a.memory += b.memory;
  a.ephemeralStorage += b.ephemeralStorage;
  for (const [k, v] of b.scalar) a.scalar.set(k, (a.scalar.get(k) ?? 0) + v);
}

function maxInto(a: Resource, b: Resource): void {
  a.milliCPU = Math.max(a.milliCPU, b.milliCPU);
  a.memory = Math.max(a.memory, b.memory);
  a.ephemeralStorage = Math.max(a.ephemeralStorage, b.ephemeralStorage);
  for (const [k, v] of b.scalar) a.scalar.set(k, Math.max(a.scalar.get(k) ?? 0, v));
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const req = c.resources?.requests ?? {};
  const r = resourceFromList(req);
  r.allowedPodNumber = 0;
  if (nonZero) {
    if (req.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (req.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The pod's effective request. With `nonZero`, containers without a cpu/memory request count
 * upstream's defaults (100m, 200Mi) — used for scoring so empty pods still spread.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const total = emptyResource();
  for (const c of pod.spec.containers ?? []) add(total, containerRequests(c, nonZero));
  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      // A sidecar keeps running: it adds to everything started after it and to the steady state.
      add(sidecars, r);
      maxInto(initMax, sidecars);
    } else {
      add(r, sidecars);
      maxInto(initMax, r);
    }
  }
  add(total, sidecars);
  maxInto(total, initMax);
  if (pod.spec.overhead) add(total, resourceFromList(pod.spec.overhead));
  return total;
}
