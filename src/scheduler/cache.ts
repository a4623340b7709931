// The scheduler's cache: nodes and the pods assigned to them (from informers, plus pods the
// scheduler has assumed onto a node while their binding is in flight), namespace labels, and
// indexes that keep per-pod work independent of the number of pods: a label-set index (pods of
// one ReplicaSet share a label set, so "how many pods matching S are on node N" is a lookup per
// distinct label set) and the global lists of pods that carry affinity terms.
import type { LabelSelector } from '../api/selectors/label-selector.js';
import { NodeInfo } from './node-info.js';
import { hasPodAffinity, newPodInfo, withNodeName, type PodInfo } from './pod-info.js';
import { podKey, type Node, type Pod } from './types.js';

export interface LabelGroup {
  labels: Record<string, string>;
  /** node name → number of pods with this label set there (all, and not terminating). */
  all: Map<string, number>;
  live: Map<string, number>;
}

interface CachedPod {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
}

function bump(m: Map<string, number>, k: string, d: number): void {
  const v = (m.get(k) ?? 0) + d;
  if (v <= 0) m.delete(k);
  else m.set(k, v);
}

export class SchedulerCache {
  private readonly nodeMap = new Map<string, NodeInfo>();
  /** Nodes in insertion order; sampling walks it round-robin. */
  readonly nodeList: NodeInfo[] = [];
  /** Pods reported on nodes the cache does not know (yet). */
  private readonly ghosts = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, CachedPod>();
  private readonly labelIndex = new Map<string, Map<string, LabelGroup>>();
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly nodeLabelKeys = new Map<string, number>();
  private readonly imageNodes = new Map<string, number>();

  get nodeCount(): number {
    return this.nodeList.length;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodeMap.get(name);
  }

  /** Where a pod is (or is assumed to be), if the cache holds it. */
  podNode(key: string): string | undefined {
    return this.pods.get(key)?.nodeName;
  }

  podInfo(key: string): PodInfo | undefined {
    return this.pods.get(key)?.info;
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed ?? false;
  }

  /** Distinct images reported by nodes (ImageLocality skips scoring when there are none). */
  get imageCount(): number {
    return this.imageNodes.size;
  }

  nodesWithImage(image: string): number {
    return this.imageNodes.get(image) ?? 0;
  }

  anyNodeHasLabel(key: string): boolean {
    return (this.nodeLabelKeys.get(key) ?? 0) > 0;
  }

  // --- namespaces ----------------------------------------------------------------------------

  setNamespace(name: string, labels: Record<string, string> | undefined): void {
    this.namespaceLabels.set(name, labels ?? {});
  }

  removeNamespace(name: string): void {
    this.namespaceLabels.delete(name);
  }

  namespaceLabelsOf(name: string): Record<string, string> | undefined {
    return this.namespaceLabels.get(name);
  }

  allNamespaces(): Iterable<string> {
    const s = new Set<string>(this.namespaceLabels.keys());
    for (const ns of this.labelIndex.keys()) s.add(ns);
    return s;
  }

  // --- nodes ---------------------------------------------------------------------------------

  addNode(node: Node): NodeInfo {
    const name = node.metadata.name ?? '';
    let ni = this.nodeMap.get(name);
    if (ni) {
      this.countLabels(ni, -1);
      ni.setNode(node);
    } else {
      ni = this.ghosts.get(name) ?? new NodeInfo();
      this.ghosts.delete(name);
      ni.setNode(node);
      this.nodeMap.set(name, ni);
      this.nodeList.push(ni);
    }
    this.countLabels(ni, 1);
    return ni;
  }

  removeNode(name: string): void {
    const ni = this.nodeMap.get(name);
    if (!ni) return;
    this.countLabels(ni, -1);
    this.nodeMap.delete(name);
    this.nodeList.splice(this.nodeList.indexOf(ni), 1);
    // Pods still reported there stay accounted on a ghost until they go (as upstream).
    if (ni.pods.length) this.ghosts.set(name, ni);
  }

  private countLabels(ni: NodeInfo, d: number): void {
    for (const k of Object.keys(ni.labels)) bump(this.nodeLabelKeys, k, d);
    for (const img of ni.imageSizes.keys()) bump(this.imageNodes, img, d);
  }

  private holder(nodeName: string): NodeInfo {
    let ni = this.nodeMap.get(nodeName) ?? this.ghosts.get(nodeName);
    if (!ni) {
      ni = new NodeInfo();
      ni.name = nodeName;
      this.ghosts.set(nodeName, ni);
    }
    return ni;
  }

  // --- pods ----------------------------------------------------------------------------------

  private place(info: PodInfo, nodeName: string, assumed: boolean): void {
    this.holder(nodeName).addPod(info);
    this.pods.set(info.key, { info, nodeName, assumed });
    let groups = this.labelIndex.get(info.namespace);
    if (!groups) this.labelIndex.set(info.namespace, (groups = new Map()));
    let g = groups.get(info.labelsKey);
    if (!g) groups.set(info.labelsKey, (g = { labels: info.labels, all: new Map(), live: new Map() }));
    bump(g.all, nodeName, 1);
    if (!info.terminating) bump(g.live, nodeName, 1);
    if (hasPodAffinity(info)) this.podsWithAffinity.add(info);
    if (info.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity.add(info);
  }

  private unplace(key: string): CachedPod | undefined {
    const c = this.pods.get(key);
    if (!c) return undefined;
    this.pods.delete(key);
    const ni = this.nodeMap.get(c.nodeName) ?? this.ghosts.get(c.nodeName);
    ni?.removePod(key);
    if (ni && !this.nodeMap.has(c.nodeName) && ni.pods.length === 0) this.ghosts.delete(c.nodeName);
    const groups = this.labelIndex.get(c.info.namespace);
    const g = groups?.get(c.info.labelsKey);
    if (g) {
      bump(g.all, c.nodeName, -1);
      if (!c.info.terminating) bump(g.live, c.nodeName, -1);
      if (g.all.size === 0) groups!.delete(c.info.labelsKey);
      if (groups!.size === 0) this.labelIndex.delete(c.info.namespace);
    }
    this.podsWithAffinity.delete(c.info);
    this.podsWithRequiredAntiAffinity.delete(c.info);
    return c;
  }

  /** An assigned pod from the informer (add or update); confirms an assumed pod. */
  addOrUpdatePod(pod: Pod): PodInfo {
    const key = podKey(pod);
    this.unplace(key);
    const info = newPodInfo(pod);
    this.place(info, pod.spec.nodeName!, false);
    return info;
  }

  removePod(pod: Pod): void {
    this.unplace(podKey(pod));
  }

  /** Accounts the pod on the chosen node before its binding is confirmed. */
  assumePod(info: PodInfo, nodeName: string): PodInfo {
    const bound = withNodeName(info, nodeName);
    this.unplace(info.key);
    this.place(bound, nodeName, true);
    return bound;
  }

  /** Binding failed: the pod no longer occupies the node (unless the informer confirmed it meanwhile). */
  forgetPod(key: string): void {
    if (this.pods.get(key)?.assumed) this.unplace(key);
  }

  // --- label index ---------------------------------------------------------------------------

  /** The label groups of a namespace whose labels the selector matches. */
  matchingGroups(namespace: string, selector: LabelSelector): LabelGroup[] {
    const groups = this.labelIndex.get(namespace);
    if (!groups) return [];
    const out: LabelGroup[] = [];
    for (const g of groups.values()) if (selector.matches(g.labels)) out.push(g);
    return out;
  }

  /** Namespaces that have assigned pods. */
  podNamespaces(): Iterable<string> {
    return this.labelIndex.keys();
  }
}
