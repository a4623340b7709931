// The garbage collector (upstream pkg/controller/garbagecollector): watches every resource that
// can be listed, watched and deleted, keeps a graph of ownerReferences, and
//  - deletes dependents whose owners are all gone (Background), confirming absence with the API;
//  - for an owner deleted in the Foreground (deletionTimestamp + `foregroundDeletion`) deletes its
//    dependents, waits for those with blockOwnerDeletion, then removes the finalizer;
//  - for an owner deleted with Orphan (`orphan` finalizer) removes the ownerReferences to it from
//    its dependents, then removes the finalizer.
// Two queues keyed by uid: "attempt to delete" (dependents and foreground-deleting owners) and
// "attempt to orphan". Event handlers only update the graph and enqueue.
import type { KObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { Controller } from '../../client/controller.js';
import type { CachedInformer } from '../../client/informer.js';
import type { ControllerContext, ControllerDef } from '../context.js';
import { waitForCacheSync } from '../util/sync.js';
import { FOREGROUND, Graph, ORPHAN, isDeletingDependents, isOrphaning, type GraphNode } from './graph.js';
import { Classifier, resourceLookup } from './classify.js';
import { deleteObject, editMetadata, getObject, type ObjectIdentity } from './operations.js';

/** Upstream's default ignored resources: events are never owners worth tracking. */
function monitored(r: ResourceInfo): boolean {
  const verbs = r.verbs ?? ['list', 'watch', 'delete'];
  if (!['list', 'watch', 'delete'].every((v) => verbs.includes(v))) return false;
  return !(r.resource === 'events' && (r.group === '' || r.group === 'events.k8s.io'));
}

function identity(n: GraphNode): ObjectIdentity {
  return { info: n.info, version: n.version, namespace: n.namespace, name: n.name, uid: n.uid };
}

export const garbageCollectorController: ControllerDef = {
  name: 'garbage-collector',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client, log } = ctx;
    const graph = new Graph();
    const classifier = new Classifier(client, graph, resourceLookup(ctx.resources), ctx.recorder);

    const attemptToDelete = async (uid: string): Promise<void> => {
      const node = graph.get(uid);
      if (!node) return;
      if (isDeletingDependents(node)) return processDeletingDependents(node);
      if (node.deleting || node.owners.length === 0) return;
      if (classifier.allSolidInGraph(node)) return;
      // The cache may lag (the dependent may just have been adopted): decide on the live object.
      const latest = await getObject(client, identity(node));
      if (!latest || latest.metadata.uid !== uid) return;
      const refs = latest.metadata.ownerReferences ?? [];
      if (refs.length === 0) return;
      const { solid, dangling, waiting } = await classifier.classify(node, refs);
      if (solid.length > 0) {
        if (dangling.length === 0 && waiting.length === 0) return;
        const gone = new Set([...dangling, ...waiting].map((r) => r.uid));
        log.debug(`${node.info.resource} ${node.namespace}/${node.name}: removing references to owners ${[...gone].join(', ')}`);
        await editMetadata(client, identity(node), (m) => ({ ...m, ownerReferences: m.ownerReferences.filter((r) => !gone.has(r.uid)) }));
        return;
      }
      if (waiting.length > 0 && graph.dependents(uid).length > 0) {
        // An owner waits for us and we have dependents of our own: delete in the foreground too.
        // If one of our dependents is itself waiting on its dependents, a cycle is possible;
        // unblocking our references to the owners breaks it (as upstream does).
        if (graph.dependents(uid).some(isDeletingDependents)) {
          const waitingUids = new Set(waiting.map((r) => r.uid));
          await editMetadata(client, identity(node), (m) => ({
            ...m,
            ownerReferences: m.ownerReferences.map((r) => (waitingUids.has(r.uid) && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)),
          }));
        }
        log.debug(`${node.info.resource} ${node.namespace}/${node.name}: deleting (Foreground) for an owner deleting in the foreground`);
        await deleteObject(client, identity(node), 'Foreground');
        return;
      }
      const fins = latest.metadata.finalizers ?? [];
      const policy = fins.includes(ORPHAN) ? 'Orphan' : fins.includes(FOREGROUND) ? 'Foreground' : 'Background';
      log.debug(`${node.info.resource} ${node.namespace}/${node.name}: owners gone, deleting (${policy})`);
      await deleteObject(client, identity(node), policy);
    };

    const processDeletingDependents = async (owner: GraphNode): Promise<void> => {
      const blocking = graph.dependents(owner.uid).filter((d) => d.owners.some((r) => r.uid === owner.uid && r.blockOwnerDeletion));
      if (blocking.length === 0) {
        await editMetadata(client, identity(owner), (m) => ({ ...m, finalizers: m.finalizers.filter((f) => f !== FOREGROUND) }));
        return;
      }
      // Their deletions (or updates) enqueue this owner again.
      for (const d of blocking) if (!isDeletingDependents(d)) deleter.enqueue(d.uid);
    };

    const attemptToOrphan = async (uid: string): Promise<void> => {
      const owner = graph.get(uid);
      if (!owner || !isOrphaning(owner)) return;
      for (const d of graph.dependents(uid)) {
        await editMetadata(client, identity(d), (m) => ({ ...m, ownerReferences: m.ownerReferences.filter((r) => r.uid !== uid) }));
      }
      await editMetadata(client, identity(owner), (m) => ({ ...m, finalizers: m.finalizers.filter((f) => f !== ORPHAN) }));
      log.debug(`${owner.info.resource} ${owner.namespace}/${owner.name}: dependents orphaned`);
    };

    const deleter = new Controller({ name: 'garbage-collector', workers: 4, log }, async (uid) => attemptToDelete(uid));
    const orphaner = new Controller({ name: 'garbage-collector-orphan', workers: 2, log }, async (uid) => attemptToOrphan(uid));

    const enqueueWaitingOwners = (n: GraphNode | undefined): void => {
      for (const r of n?.owners ?? []) {
        const owner = graph.get(r.uid);
        if (owner && isDeletingDependents(owner)) deleter.enqueue(owner.uid);
      }
    };

    const observe = (info: ResourceInfo, version: string, obj: KObject): void => {
      const old = graph.upsert(info, version, obj);
      const node = graph.get(obj.metadata.uid ?? '');
      if (!node) return;
      if (old && old.deleting === node.deleting && JSON.stringify(old.owners) === JSON.stringify(node.owners) && JSON.stringify(old.finalizers) === JSON.stringify(node.finalizers)) {
        // Nothing the collector cares about changed (most pod status updates).
        if (!isDeletingDependents(node) && !isOrphaning(node)) return;
      }
      if (isDeletingDependents(node)) {
        deleter.enqueue(node.uid);
        if (!old || !isDeletingDependents(old)) for (const d of graph.dependents(node.uid)) deleter.enqueue(d.uid);
      }
      if (isOrphaning(node)) orphaner.enqueue(node.uid);
      if (node.owners.length > 0 && !classifier.allSolidInGraph(node)) deleter.enqueue(node.uid);
      enqueueWaitingOwners(old);
      enqueueWaitingOwners(node);
    };

    const forget = (obj: KObject): void => {
      const uid = obj.metadata.uid ?? '';
      const old = graph.remove(uid);
      for (const d of graph.dependents(uid)) deleter.enqueue(d.uid);
      enqueueWaitingOwners(old);
    };

    const informers: CachedInformer<KObject>[] = [];
    for (const r of ctx.resources.filter(monitored)) {
      const version = r.versions[0]!.version;
      const inf = ctx.informers.informer(r.group, version, r.resource);
      inf.addHandler({
        onAdd: (o) => observe(r, version, o),
        onUpdate: (_old, o) => observe(r, version, o),
        onDelete: (o) => forget(o),
      });
      informers.push(inf);
    }
    // Workers start once the graph is complete, so owners listed after their dependents are
    // found in the graph rather than looked up one by one.
    if (!(await waitForCacheSync(informers, signal))) return;
    log.debug(`garbage collector: graph synced with ${graph.size} objects`);
    await Promise.all([deleter.run(signal), orphaner.run(signal)]);
  },
};
