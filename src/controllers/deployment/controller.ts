// The Deployment controller (upstream deployment_controller.go): claims the ReplicaSets its
// selector matches (adopting orphans, releasing those that stop matching), then either only syncs
// status (being deleted), scales and cleans up (paused, or spec.replicas changed), or rolls out
// with the RollingUpdate or Recreate strategy. The garbage collector, not this controller,
// removes a deleted Deployment's ReplicaSets.
import { clone } from '../../api/types.js';
import { selectorFromLabelSelector } from '../../api/selectors/label-selector.js';
import { Controller } from '../../client/controller.js';
import { objectKey, splitKey } from '../../client/informer.js';
import type { ControllerContext, ControllerDef } from '../context.js';
import { claimChildren, controllerOf } from '../replicaset-claim.js';
import type { Pod } from '../replicaset-pods.js';
import type { Deployment, ReplicaSet } from './util.js';
import { DESIRED_REPLICAS, activeSets, getCondition, hasProgressDeadline, newCondition, replicasOf, setCondition } from './util.js';
import type { SyncState } from './sync.js';
import { cleanupDeployment, deployPath, getAllReplicaSets, rsPath, scale, syncDeploymentStatus, updateStatus } from './sync.js';
import { rolloutRolling } from './rolling.js';
import { rolloutRecreate } from './recreate.js';

/** checkPausedConditions: Progressing Unknown with DeploymentPaused / DeploymentResumed. */
async function checkPausedConditions(s: SyncState): Promise<void> {
  const d = s.d;
  if (!hasProgressDeadline(d)) return;
  const c = getCondition(d.status, 'Progressing');
  if (c?.reason === 'ProgressDeadlineExceeded') return;
  const pausedCond = c?.reason === 'DeploymentPaused';
  if (d.spec.paused && !pausedCond) {
    d.status ??= {};
    setCondition(d.status, newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'));
  } else if (!d.spec.paused && pausedCond) {
    d.status ??= {};
    setCondition(d.status, newCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed'));
  } else return;
  await updateStatus(s);
}

/** sync: scale (proportionally) and, when paused, clean up history; then status. */
async function scaleOnly(s: SyncState, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSets(s, rsList, false);
  await scale(s, newRS, oldRSs);
  if (s.d.spec.paused) await cleanupDeployment(s, oldRSs);
  await syncDeploymentStatus(s, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
}

/** isScalingEvent: an active set was sized for a different spec.replicas. */
async function isScalingEvent(s: SyncState, rsList: ReplicaSet[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSets(s, rsList, false);
  return activeSets([...oldRSs, newRS]).some((rs) => {
    const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
    return desired !== undefined && /^\d+$/.test(desired) && Number(desired) !== replicasOf(s.d);
  });
}

export const deploymentController: ControllerDef = {
  name: 'deployment',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client, recorder } = ctx;
    const deployments = ctx.informers.informer<Deployment>('apps', 'v1', 'deployments');
    const replicaSets = ctx.informers.informer<ReplicaSet>('apps', 'v1', 'replicasets');
    const pods = ctx.informers.informer<Pod>('', 'v1', 'pods');

    const sync = async (key: string): Promise<{ requeueAfterMs?: number } | void> => {
      const { namespace, name } = splitKey(key);
      const cached = deployments.get(namespace, name);
      if (!cached) return;
      const s: SyncState = { client, recorder, d: clone(cached), rsByName: new Map() };
      const sel = s.d.spec.selector ?? {};
      if (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
        recorder.event(s.d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
        if ((s.d.status?.observedGeneration ?? 0) < (s.d.metadata.generation ?? 0)) {
          s.d.status = { ...(s.d.status ?? {}), observedGeneration: s.d.metadata.generation };
          await updateStatus(s);
        }
        return;
      }
      const selector = selectorFromLabelSelector(sel);
      const rsList = await claimChildren<ReplicaSet>({
        client,
        owner: s.d,
        ownerApiVersion: 'apps/v1',
        ownerKind: 'Deployment',
        ownerPath: deployPath(namespace, name),
        selector,
        candidates: replicaSets.list(namespace),
        childPath: (rs) => rsPath(namespace, rs.metadata.name),
      });
      for (const rs of rsList) s.rsByName.set(rs.metadata.name!, rs);
      if (s.d.metadata.deletionTimestamp) {
        const { newRS, oldRSs } = await getAllReplicaSets(s, rsList, false);
        await syncDeploymentStatus(s, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
        return;
      }
      await checkPausedConditions(s);
      if (s.d.spec.paused || (await isScalingEvent(s, rsList))) {
        await scaleOnly(s, rsList);
        return;
      }
      if (s.d.spec.strategy?.type === 'Recreate') {
        // Pods of this Deployment's sets, by owner uid (Recreate waits for old ones to go).
        const uids = new Set(rsList.map((rs) => rs.metadata.uid));
        const byOwner = new Map<string, Pod[]>();
        for (const p of pods.list(namespace)) {
          const uid = controllerOf(p)?.uid;
          if (!uid || !uids.has(uid) || !selector.matches(p.metadata.labels)) continue;
          byOwner.set(uid, [...(byOwner.get(uid) ?? []), p]);
        }
        await rolloutRecreate(s, rsList, byOwner);
      } else {
        await rolloutRolling(s, rsList);
      }
      if (s.requeueAfterMs !== undefined) return { requeueAfterMs: s.requeueAfterMs };
    };

    const controller = new Controller({ name: 'deployment', log: ctx.log, workers: 5 }, sync);
    const enqueue = (d: Deployment): void => controller.enqueue(objectKey(d));
    const ownerOf = (o: ReplicaSet): Deployment | undefined => {
      const ref = controllerOf(o);
      if (!ref || ref.kind !== 'Deployment') return undefined;
      const d = deployments.get(o.metadata.namespace!, ref.name);
      return d?.metadata.uid === ref.uid ? d : undefined;
    };
    const matching = (rs: ReplicaSet): Deployment[] =>
      deployments.list(rs.metadata.namespace).filter((d) => {
        const sel = selectorFromLabelSelector(d.spec.selector ?? {});
        return !sel.empty && sel.matches(rs.metadata.labels);
      });
    const rsChanged = (old: ReplicaSet | undefined, rs: ReplicaSet): void => {
      const oldOwner = old && ownerOf(old);
      const owner = ownerOf(rs);
      if (oldOwner && oldOwner.metadata.uid !== owner?.metadata.uid) enqueue(oldOwner);
      if (owner) return enqueue(owner);
      if (controllerOf(rs)) return;
      // An orphan: every Deployment that could adopt it takes a look.
      for (const d of matching(rs)) enqueue(d);
    };

    deployments.addHandler({ onAdd: enqueue, onUpdate: (_o, d) => enqueue(d), onDelete: enqueue });
    replicaSets.addHandler({
      onAdd: (rs) => rsChanged(undefined, rs),
      onUpdate: (old, rs) => {
        if (old.metadata.resourceVersion !== rs.metadata.resourceVersion) rsChanged(old, rs);
      },
      onDelete: (rs) => {
        const d = ownerOf(rs);
        if (d) enqueue(d);
      },
    });
    // Recreate waits for old pods to be gone, so a pod deletion may unblock it.
    pods.addHandler({
      onDelete: (p) => {
        const ref = controllerOf(p);
        if (ref?.kind !== 'ReplicaSet') return;
        const rs = replicaSets.get(p.metadata.namespace!, ref.name);
        const d = rs && ownerOf(rs);
        if (d?.spec.strategy?.type === 'Recreate') enqueue(d);
      },
    });
    await controller.run(signal);
  },
};
