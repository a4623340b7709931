// Node lifecycle (upstream's node-lifecycle-controller and taint-eviction-controller).
//
// Health: a node is healthy while its kubelet renews its Lease in kube-node-lease (or posts a new
// Ready heartbeat). The time of the last observed renewal is the node's probe time — local
// observation time, as upstream, so clock skew between hosts does not matter. A node not heard
// from for nodeMonitorGracePeriodMs (40 s) gets its conditions set to Unknown, a NodeNotReady
// event, and its pods marked not ready (MarkPodsNotReady).
// Taints follow conditions: Ready Unknown → node.kubernetes.io/unreachable, Ready False →
// node.kubernetes.io/not-ready (NoExecute and NoSchedule), pressure conditions and
// spec.unschedulable → their NoSchedule taints; removed when the condition clears.
// Eviction: a pod on a node with a NoExecute taint it does not tolerate is deleted; one that
// tolerates every such taint for a limited time is deleted when the shortest tolerationSeconds
// run out, counted from when the controller first saw it exposed (as upstream).
import type { KObject } from '../api/types.js';
import { clone } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';
import { objectKey, splitKey } from '../client/informer.js';
import { Controller } from '../client/controller.js';
import type { ControllerContext, ControllerDef } from './context.js';

export interface Taint { key: string; value?: string; effect: string; timeAdded?: string }
export interface Toleration { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }
interface Condition { type: string; status: string; reason?: string; message?: string; lastHeartbeatTime?: string; lastTransitionTime?: string; lastProbeTime?: string | null }

export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const NOT_READY = 'node.kubernetes.io/not-ready';
const CONDITION_TAINTS: Record<string, string> = {
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
  NetworkUnavailable: 'node.kubernetes.io/network-unavailable',
};
const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const MANAGED = new Set([UNREACHABLE, NOT_READY, UNSCHEDULABLE, ...Object.values(CONDITION_TAINTS)]);
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
/** How often a node that is not healthy is looked at again (upstream's nodeMonitorPeriod). */
const MONITOR_PERIOD_MS = 5_000;

const rfc3339 = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Upstream's Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/**
 * How long a pod may stay on a node with these NoExecute taints: 0 when some taint is not
 * tolerated, Infinity when every taint is tolerated forever, else the shortest tolerationSeconds.
 */
export function tolerationTimeMs(taints: Taint[], tolerations: Toleration[]): number {
  let min = Infinity;
  for (const taint of taints) {
    const t = tolerations.find((x) => tolerates(x, taint));
    if (!t) return 0;
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) min = Math.min(min, Math.max(0, t.tolerationSeconds) * 1000);
  }
  return min;
}

function conditionsOf(node: KObject): Condition[] {
  return ((node.status as { conditions?: Condition[] } | undefined)?.conditions) ?? [];
}

function readyOf(node: KObject): string | undefined {
  return conditionsOf(node).find((c) => c.type === 'Ready')?.status;
}

function taintsOf(node: KObject): Taint[] {
  return ((node.spec as { taints?: Taint[] } | undefined)?.taints) ?? [];
}

/** The taints this controller wants on the node, given its conditions (upstream's mapping). */
export function desiredTaints(node: KObject): { key: string; effect: string }[] {
  const out: { key: string; effect: string }[] = [];
  const ready = readyOf(node);
  const readyKey = ready === 'Unknown' ? UNREACHABLE : ready === 'False' ? NOT_READY : undefined;
  if (readyKey) out.push({ key: readyKey, effect: 'NoExecute' }, { key: readyKey, effect: 'NoSchedule' });
  for (const c of conditionsOf(node)) if (CONDITION_TAINTS[c.type] && c.status === 'True') out.push({ key: CONDITION_TAINTS[c.type]!, effect: 'NoSchedule' });
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable) out.push({ key: UNSCHEDULABLE, effect: 'NoSchedule' });
  return out;
}

/** Node taints with the managed ones brought in line with `desired`; undefined when unchanged. */
function reconcileTaints(current: Taint[], desired: { key: string; effect: string }[]): Taint[] | undefined {
  const want = new Set(desired.map((d) => `${d.key}:${d.effect}`));
  const keep = current.filter((t) => !MANAGED.has(t.key) || want.has(`${t.key}:${t.effect}`));
  const have = new Set(keep.map((t) => `${t.key}:${t.effect}`));
  const add = desired.filter((d) => !have.has(`${d.key}:${d.effect}`)).map((d) => (d.effect === 'NoExecute' ? { ...d, timeAdded: rfc3339() } : { ...d }));
  if (!add.length && keep.length === current.length) return undefined;
  return [...keep, ...add];
}

/** The node's kubelet conditions set to Unknown (upstream wording); undefined when already so. */
function unknownConditions(node: KObject, now: string): Condition[] | undefined {
  const conds = conditionsOf(node).map((c) => ({ ...c }));
  let changed = false;
  for (const type of KUBELET_CONDITIONS) {
    const c = conds.find((x) => x.type === type);
    if (!c) {
      conds.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: now });
      changed = true;
    } else if (c.status !== 'Unknown') {
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now });
      changed = true;
    }
  }
  return changed ? conds : undefined;
}

export const nodeLifecycleController: ControllerDef = {
  name: 'node-lifecycle',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client, recorder } = ctx;
    const grace = ctx.config.nodeMonitorGracePeriodMs;
    const nodes = ctx.informers.informer('', 'v1', 'nodes');
    const leases = ctx.informers.informer('coordination.k8s.io', 'v1', 'leases');
    const pods = ctx.informers.informer('', 'v1', 'pods');
    /** Last observed heartbeat per node: local time we saw it, and what we saw. */
    const health = new Map<string, { probe: number; renew?: string; heartbeat?: string }>();
    const podsByNode = new Map<string, Set<string>>();
    /** Pods with a pending eviction: when the controller first saw them exposed. */
    const exposedSince = new Map<string, number>();

    const probe = (name: string, renew?: string, heartbeat?: string) => {
      const h = health.get(name);
      if (!h) return void health.set(name, { probe: Date.now(), renew, heartbeat });
      if ((renew !== undefined && renew !== h.renew) || (heartbeat !== undefined && heartbeat !== h.heartbeat)) h.probe = Date.now();
      if (renew !== undefined) h.renew = renew;
      if (heartbeat !== undefined) h.heartbeat = heartbeat;
    };
    const heartbeatOf = (n: KObject) => conditionsOf(n).find((c) => c.type === 'Ready')?.lastHeartbeatTime;

    const markPodsNotReady = async (nodeName: string) => {
      for (const key of podsByNode.get(nodeName) ?? []) {
        const pod = pods.getByKey(key);
        const conds = ((pod?.status as { conditions?: Condition[] } | undefined)?.conditions) ?? [];
        if (!pod || !conds.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
        const next = clone(pod);
        const st = next.status as { conditions: Condition[] };
        st.conditions = conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339() } : c));
        const { namespace, name } = splitKey(key);
        try {
          await client.update(resourcePath('', 'v1', 'pods', namespace, name, 'status'), next);
          recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
        } catch (e) {
          if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
        }
      }
    };

    const nodeController = new Controller({ name: 'node-lifecycle', log: ctx.log, workers: 4 }, async (name) => {
      let node = nodes.get('', name);
      if (!node) {
        health.delete(name);
        return;
      }
      probe(name, undefined, heartbeatOf(node));
      const h = health.get(name)!;
      const silentFor = Date.now() - h.probe;
      if (silentFor >= grace) {
        const conds = unknownConditions(node, rfc3339());
        if (conds) {
          const wasReady = readyOf(node) === 'True';
          const next = clone(node);
          next.status = { ...(next.status as object), conditions: conds };
          node = await client.update<KObject>(resourcePath('', 'v1', 'nodes', undefined, name, 'status'), next);
          ctx.log.info(`node ${name}: no heartbeat for ${Math.round(silentFor / 1000)} s; conditions set to Unknown`);
          if (wasReady) recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        }
      }
      const taints = reconcileTaints(taintsOf(node), desiredTaints(node));
      if (taints) {
        const next = clone(node);
        next.spec = { ...(next.spec as object), taints };
        node = await client.update<KObject>(resourcePath('', 'v1', 'nodes', undefined, name), next);
      }
      if (readyOf(node) === 'Unknown') await markPodsNotReady(name);
      return { requeueAfterMs: silentFor >= grace ? MONITOR_PERIOD_MS : Math.max(50, h.probe + grace - Date.now() + 20) };
    });

    const evict = async (key: string, pod: KObject) => {
      const { namespace, name } = splitKey(key);
      recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
      const next = clone(pod);
      const st = (next.status ?? {}) as { conditions?: Condition[] };
      st.conditions = [...(st.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastProbeTime: null, lastTransitionTime: rfc3339() }];
      next.status = st;
      try {
        await client.update(resourcePath('', 'v1', 'pods', namespace, name, 'status'), next);
        await client.delete(resourcePath('', 'v1', 'pods', namespace, name), { preconditions: { uid: pod.metadata.uid } });
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    };

    const evictionController = new Controller({ name: 'taint-eviction', log: ctx.log, workers: 4 }, async (key) => {
      const pod = pods.getByKey(key);
      const nodeName = (pod?.spec as { nodeName?: string } | undefined)?.nodeName;
      const node = nodeName ? nodes.get('', nodeName) : undefined;
      const noExecute = node ? taintsOf(node).filter((t) => t.effect === 'NoExecute') : [];
      const allowed = pod && noExecute.length && !pod.metadata.deletionTimestamp ? tolerationTimeMs(noExecute, ((pod.spec as { tolerations?: Toleration[] }).tolerations) ?? []) : Infinity;
      if (allowed === Infinity) {
        if (exposedSince.delete(key) && pod && !pod.metadata.deletionTimestamp) recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
        return;
      }
      const since = exposedSince.get(key) ?? Date.now();
      exposedSince.set(key, since);
      const left = since + allowed - Date.now();
      if (left > 0) return { requeueAfterMs: left };
      await evict(key, pod!);
      exposedSince.delete(key);
    });

    const podSeen = (p: KObject) => {
      const n = (p.spec as { nodeName?: string } | undefined)?.nodeName;
      if (!n) return;
      let s = podsByNode.get(n);
      if (!s) podsByNode.set(n, (s = new Set()));
      s.add(objectKey(p));
      evictionController.enqueue(objectKey(p));
    };
    pods.addHandler({
      onAdd: podSeen,
      onUpdate: (_o, p) => podSeen(p),
      onDelete: (p) => {
        const n = (p.spec as { nodeName?: string } | undefined)?.nodeName;
        if (n) podsByNode.get(n)?.delete(objectKey(p));
        evictionController.enqueue(objectKey(p));
      },
    });
    const noExecuteKey = (n: KObject) => taintsOf(n).filter((t) => t.effect === 'NoExecute').map((t) => `${t.key}=${t.value ?? ''}`).sort().join(',');
    nodes.addHandler({
      onAdd: (n) => {
        probe(n.metadata.name!, undefined, heartbeatOf(n));
        nodeController.enqueue(n.metadata.name!);
        for (const k of podsByNode.get(n.metadata.name!) ?? []) evictionController.enqueue(k);
      },
      onUpdate: (old, n) => {
        probe(n.metadata.name!, undefined, heartbeatOf(n));
        nodeController.enqueue(n.metadata.name!);
        if (noExecuteKey(old) !== noExecuteKey(n)) for (const k of podsByNode.get(n.metadata.name!) ?? []) evictionController.enqueue(k);
      },
      onDelete: (n) => {
        nodeController.enqueue(n.metadata.name!);
        for (const k of podsByNode.get(n.metadata.name!) ?? []) evictionController.enqueue(k);
      },
    });
    const leaseSeen = (l: KObject) => {
      if (l.metadata.namespace !== 'kube-node-lease') return;
      const name = l.metadata.name!;
      probe(name, (l.spec as { renewTime?: string } | undefined)?.renewTime ?? '');
      const node = nodes.get('', name);
      if (node && readyOf(node) !== 'True') nodeController.enqueue(name);
    };
    leases.addHandler({ onAdd: leaseSeen, onUpdate: (_o, l) => leaseSeen(l) });
    await Promise.all([nodeController.run(signal), evictionController.run(signal)]);
  },
};
