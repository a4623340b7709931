// Wires a Scheduler to informers: pods and nodes into cache and queue; namespaces (labels for
// namespaceSelector), PVCs, PVs and StorageClasses (VolumeBinding), PDBs (preemption), and
// Services/ReplicaSets/StatefulSets/ReplicationControllers (the selector of the system default
// topology spreading, memoized per namespace and label set until any of them changes).
import type { KObject } from '../api/types.js';
import type { InformerFactory, CachedInformer } from '../client/informer.js';
import type { LabelSelectorSpec } from '../api/selectors/label-selector.js';
import { selectorFromLabelSelector } from '../api/selectors/label-selector.js';
import type { Listers } from './framework.js';
import type { Scheduler } from './scheduler.js';
import type { ClusterEvent } from './cluster-events.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, PodDisruptionBudget, StorageClass } from './types.js';
import { labelsKeyOf } from './pod-info.js';

export interface SchedulerInformers {
  pods: CachedInformer<Pod>;
  listers: Listers;
  /** Connects handlers; call after constructing the Scheduler with `listers`. */
  connect(s: Scheduler): void;
}

export function schedulerInformers(f: InformerFactory): SchedulerInformers {
  const pods = f.informer<Pod>('', 'v1', 'pods');
  const nodes = f.informer<Node>('', 'v1', 'nodes');
  const namespaces = f.informer('', 'v1', 'namespaces');
  const pvcs = f.informer<PersistentVolumeClaim>('', 'v1', 'persistentvolumeclaims');
  const pvs = f.informer<PersistentVolume>('', 'v1', 'persistentvolumes');
  const classes = f.informer<StorageClass>('storage.k8s.io', 'v1', 'storageclasses');
  const pdbs = f.informer<PodDisruptionBudget>('policy', 'v1', 'poddisruptionbudgets');
  const services = f.informer('', 'v1', 'services');
  const rcs = f.informer('', 'v1', 'replicationcontrollers');
  const rss = f.informer('apps', 'v1', 'replicasets');
  const sss = f.informer('apps', 'v1', 'statefulsets');

  const memo = new Map<string, LabelSelectorSpec | undefined>();
  const clearMemo = { onAdd: () => memo.clear(), onUpdate: () => memo.clear(), onDelete: () => memo.clear() };
  for (const inf of [services, rcs, rss, sss]) inf.addHandler(clearMemo);

  const defaultSpreadSelector = (pod: Pod): LabelSelectorSpec | undefined => {
    const ns = pod.metadata.namespace ?? '';
    const owner = (pod.metadata.ownerReferences ?? []).find((r) => r.controller);
    const key = `${ns}\u0002${owner?.uid ?? ''}\u0002${labelsKeyOf(pod.metadata.labels ?? {})}`;
    if (memo.has(key)) return memo.get(key);
    const matchLabels: Record<string, string> = {};
    const labels = pod.metadata.labels ?? {};
    for (const svc of services.list(ns)) {
      const sel = (svc.spec as { selector?: Record<string, string> } | undefined)?.selector;
      if (sel && Object.keys(sel).length && selectorFromLabelSelector({ matchLabels: sel }).matches(labels)) Object.assign(matchLabels, sel);
    }
    let exprs: NonNullable<LabelSelectorSpec['matchExpressions']> = [];
    if (owner) {
      const inf = owner.kind === 'ReplicationController' ? rcs : owner.kind === 'ReplicaSet' ? rss : owner.kind === 'StatefulSet' ? sss : undefined;
      const obj = inf?.get(ns, owner.name) as KObject | undefined;
      const sel = (obj?.spec as { selector?: unknown } | undefined)?.selector;
      if (owner.kind === 'ReplicationController' && sel) Object.assign(matchLabels, sel as Record<string, string>);
      else if (sel) {
        const s = sel as LabelSelectorSpec;
        exprs = [...Object.entries(s.matchLabels ?? {}).map(([k, v]) => ({ key: k, operator: 'In', values: [v] })), ...(s.matchExpressions ?? [])];
      }
    }
    const out = Object.keys(matchLabels).length || exprs.length ? { matchLabels, matchExpressions: exprs } : undefined;
    if (memo.size > 10_000) memo.clear();
    memo.set(key, out);
    return out;
  };

  const listers: Listers = {
    pvc: (ns, name) => pvcs.get(ns, name),
    pv: (name) => pvs.get('', name),
    storageClass: (name) => classes.get('', name),
    pdbs: (ns) => pdbs.list(ns || undefined),
    pod: (ns, name) => pods.get(ns, name),
    defaultSpreadSelector,
  };

  return {
    pods,
    listers,
    connect(s: Scheduler): void {
      nodes.addHandler({ onAdd: (n) => s.onNodeAdd(n), onUpdate: (o, n) => s.onNodeUpdate(o, n), onDelete: (n) => s.onNodeDelete(n) });
      pods.addHandler({ onAdd: (p) => s.onPodAdd(p), onUpdate: (o, p) => s.onPodUpdate(o, p), onDelete: (p) => s.onPodDelete(p) });
      namespaces.addHandler({
        onAdd: (ns) => s.cache.setNamespace(ns.metadata.name!, ns.metadata.labels),
        onUpdate: (o, ns) => {
          s.cache.setNamespace(ns.metadata.name!, ns.metadata.labels);
          if (JSON.stringify(o.metadata.labels ?? {}) !== JSON.stringify(ns.metadata.labels ?? {})) s.queue.moveAllToActiveOrBackoff('NamespaceChange');
        },
        onDelete: (ns) => s.cache.removeNamespace(ns.metadata.name!),
      });
      const mover = (e: ClusterEvent) => ({
        onAdd: () => s.queue.moveAllToActiveOrBackoff(e),
        onUpdate: (o: KObject, n: KObject) => {
          if (o.metadata.resourceVersion !== n.metadata.resourceVersion) s.queue.moveAllToActiveOrBackoff(e);
        },
      });
      pvcs.addHandler(mover('PvcChange'));
      pvs.addHandler(mover('PvChange'));
      classes.addHandler(mover('StorageClassChange'));
    },
  };
}
