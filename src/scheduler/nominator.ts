// Nominated pods: pods that preemption placed on a node (status.nominatedNodeName) and that
// wait for the victims to go. Filters count them on that node for pods of lower or equal
// priority so the freed space is not taken by someone else.
import type { Nominator } from './framework.js';
import type { PodInfo } from './pod-info.js';

const NONE: readonly PodInfo[] = Object.freeze([]) as readonly PodInfo[];

export class PodNominator implements Nominator {
  private readonly byNode = new Map<string, PodInfo[]>();
  private readonly nodeOf = new Map<string, string>();

  nominatedPods(nodeName: string): readonly PodInfo[] {
    return this.byNode.get(nodeName) ?? NONE;
  }

  nominatedNodeFor(key: string): string | undefined {
    return this.nodeOf.get(key);
  }

  /** Records (or with '' clears) the pod's nomination. */
  set(info: PodInfo, nodeName: string): void {
    this.remove(info.key);
    if (!nodeName) return;
    this.nodeOf.set(info.key, nodeName);
    const list = this.byNode.get(nodeName);
    if (list) list.push(info);
    else this.byNode.set(nodeName, [info]);
  }

  remove(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const list = (this.byNode.get(node) ?? []).filter((p) => p.key !== key);
    if (list.length) this.byNode.set(node, list);
    else this.byNode.delete(node);
  }
}
