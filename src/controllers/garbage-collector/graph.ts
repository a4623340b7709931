// The garbage collector's view of the cluster: one node per object (only identity, owner
// references and deletion state are kept, not the object) and an index from an owner's uid to
// its dependents. Owners are indexed by uid before they are seen (upstream's "virtual" nodes),
// so a dependent created before its owner is observed still finds its way back.
import type { KObject, OwnerReference } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';

export interface GraphNode {
  uid: string;
  info: ResourceInfo;
  version: string;
  namespace: string;
  name: string;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

/** Deleting with the foregroundDeletion finalizer: dependents go first. */
export function isDeletingDependents(n: GraphNode): boolean {
  return n.deleting && n.finalizers.includes(FOREGROUND);
}

export function isOrphaning(n: GraphNode): boolean {
  return n.deleting && n.finalizers.includes(ORPHAN);
}

export class Graph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependentsOf = new Map<string, Set<string>>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  all(): IterableIterator<GraphNode> {
    return this.nodes.values();
  }

  /** Records the object's current state; returns the previous node, if any. */
  upsert(info: ResourceInfo, version: string, obj: KObject): GraphNode | undefined {
    const m = obj.metadata;
    const uid = m.uid;
    if (!uid) return undefined;
    const old = this.nodes.get(uid);
    const node: GraphNode = {
      uid,
      info,
      version,
      namespace: m.namespace ?? '',
      name: m.name ?? '',
      // Copied, so the node holds no reference into the informer's object.
      owners: (m.ownerReferences ?? []).map((r) => ({ ...r })),
      deleting: !!m.deletionTimestamp,
      finalizers: [...(m.finalizers ?? [])],
    };
    if (old) for (const r of old.owners) this.unindex(r.uid, uid);
    for (const r of node.owners) this.index(r.uid, uid);
    this.nodes.set(uid, node);
    return old;
  }

  remove(uid: string): GraphNode | undefined {
    const old = this.nodes.get(uid);
    if (!old) return undefined;
    for (const r of old.owners) this.unindex(r.uid, uid);
    this.nodes.delete(uid);
    return old;
  }

  /** Nodes whose ownerReferences name `ownerUid`. */
  dependents(ownerUid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.dependentsOf.get(ownerUid) ?? []) {
      const n = this.nodes.get(d);
      if (n) out.push(n);
    }
    return out;
  }

  private index(ownerUid: string, dependent: string): void {
    let s = this.dependentsOf.get(ownerUid);
    if (!s) this.dependentsOf.set(ownerUid, (s = new Set()));
    s.add(dependent);
  }

  private unindex(ownerUid: string, dependent: string): void {
    const s = this.dependentsOf.get(ownerUid);
    if (!s) return;
    s.delete(dependent);
    if (s.size === 0) this.dependentsOf.delete(ownerUid);
  }
}
