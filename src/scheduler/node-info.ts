// NodeInfo: one node and the pods assigned to it, with the aggregates filters and scores read
// (requested resources, non-zero requested, used host ports, pods with affinity), maintained
// incrementally on add/remove so no plugin recomputes them per scheduling attempt.
import { cloneResource, emptyResource, resourceFromList, type Resource } from './resources.js';
import { hasPodAffinity, type HostPort, type PodInfo } from './pod-info.js';
import type { Node, Taint } from './types.js';

export class NodeInfo {
  node!: Node;
  name = '';
  labels: Record<string, string> = {};
  taints: Taint[] = [];
  unschedulable = false;
  allocatable: Resource = emptyResource();
  imageSizes = new Map<string, number>();
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  requested: Resource = emptyResource();
  nonZeroCPU = 0;
  nonZeroMemory = 0;
  usedPorts: HostPort[] = [];
  /** Bumped on every change (tests and debugging). */
  generation = 0;

  constructor(node?: Node) {
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata.name ?? '';
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = !!node.spec?.unschedulable;
    this.allocatable = resourceFromList(node.status?.allocatable ?? node.status?.capacity);
    this.imageSizes = new Map();
    for (const img of node.status?.images ?? []) for (const n of img.names ?? []) this.imageSizes.set(normalizeImage(n), img.sizeBytes ?? 0);
    this.generation++;
  }

  addPod(p: PodInfo): void {
    this.pods.push(p);
    if (hasPodAffinity(p)) this.podsWithAffinity.push(p);
    if (p.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity.push(p);
    this.update(p, 1);
  }

  /** Removes the pod with this key; false when it was not here. */
  removePod(key: string): PodInfo | undefined {
    const i = this.pods.findIndex((x) => x.key === key);
    if (i < 0) return undefined;
    const p = this.pods[i]!;
    this.pods.splice(i, 1);
    const drop = (arr: PodInfo[]) => {
      const j = arr.findIndex((x) => x.key === key);
      if (j >= 0) arr.splice(j, 1);
    };
    drop(this.podsWithAffinity);
    drop(this.podsWithRequiredAntiAffinity);
    this.update(p, -1);
    return p;
  }

  private update(p: PodInfo, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCPU += sign * p.requests.milliCPU;
    r.memory += sign * p.requests.memory;
    r.ephemeralStorage += sign * p.requests.ephemeralStorage;
    for (const [k, v] of p.requests.scalar) r.scalar.set(k, (r.scalar.get(k) ?? 0) + sign * v);
    this.nonZeroCPU += sign * p.nonZeroCPU;
    this.nonZeroMemory += sign * p.nonZeroMemory;
    if (p.hostPorts.length) {
      if (sign > 0) this.usedPorts.push(...p.hostPorts);
      else for (const hp of p.hostPorts) {
        const j = this.usedPorts.findIndex((u) => u.ip === hp.ip && u.protocol === hp.protocol && u.port === hp.port);
        if (j >= 0) this.usedPorts.splice(j, 1);
      }
    }
    this.generation++;
  }

  /** A copy whose pod lists and aggregates can change without touching this one (preemption). */
  clone(): NodeInfo {
    const c = new NodeInfo();
    c.node = this.node;
    c.name = this.name;
    c.labels = this.labels;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.allocatable = this.allocatable;
    c.imageSizes = this.imageSizes;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.requested = cloneResource(this.requested);
    c.nonZeroCPU = this.nonZeroCPU;
    c.nonZeroMemory = this.nonZeroMemory;
    c.usedPorts = [...this.usedPorts];
    c.generation = this.generation;
    return c;
  }
}

/** Image names as the kubelet reports them: docker.io/library/ prefix and :latest tag implied. */
export function normalizeImage(name: string): string {
  let n = name;
  const at = n.indexOf('@');
  if (at < 0) {
    const slash = n.lastIndexOf('/');
    if (n.lastIndexOf(':') <= slash) n += ':latest';
  }
  const first = n.split('/')[0]!;
  if (!n.includes('/')) n = `docker.io/library/${n}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') n = `docker.io/${n}`;
  return n;
}
