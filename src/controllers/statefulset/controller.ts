// The StatefulSet controller (upstream pkg/controller/statefulset): claims the set's pods (by
// selector and by name) and revisions, works out the current and update revisions, runs one pass
// of the ordered algorithm (control.ts) and writes status (replicas, readyReplicas,
// currentReplicas, updatedReplicas, availableReplicas, current/updateRevision, collisionCount,
// observedGeneration). Handlers only enqueue set keys.
import type { KObject } from '../../api/types.js';
import { selectorFromLabelSelector } from '../../api/selectors/label-selector.js';
import { resourcePath } from '../../client/rest-client.js';
import { Controller } from '../../client/controller.js';
import type { ReconcileResult } from '../../client/controller.js';
import { objectKey } from '../../client/informer.js';
import { StatusError } from '../../api/errors.js';
import type { ControllerContext, ControllerDef } from '../context.js';
import { claimChildren } from '../replicaset-claim.js';
import type { ControllerRevision } from '../history.js';
import { controllerRefOf, revisionPath } from '../history.js';
import { updateStatefulSet } from './control.js';
import type { StatefulPod, StatefulSet, StatefulSetStatus } from './identity.js';
import { isMemberOf, isRunningAndReady, replicasOf } from './identity.js';
import { StatefulPodControl } from './pod-control.js';
import { statefulSetRevisions, truncateHistory } from './revisions.js';

const setPath = (set: KObject, sub?: string) => resourcePath('apps', 'v1', 'statefulsets', set.metadata.namespace, set.metadata.name, sub);
const podPath = (p: KObject) => resourcePath('', 'v1', 'pods', p.metadata.namespace, p.metadata.name);

const STATUS_FIELDS = ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision'] as const;

export const statefulSetController: ControllerDef = {
  name: 'statefulset',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client } = ctx;
    const sets = ctx.informers.informer<StatefulSet>('apps', 'v1', 'statefulsets');
    const pods = ctx.informers.informer<StatefulPod>('', 'v1', 'pods');
    const revisions = ctx.informers.informer<ControllerRevision>('apps', 'v1', 'controllerrevisions');
    const claims = ctx.informers.informer('', 'v1', 'persistentvolumeclaims');
    const control = new StatefulPodControl(client, ctx.recorder, claims);

    /** updateStatefulSetStatus: completes a finished rolling update, writes only on change. */
    async function writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
      if (set.spec?.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
        status.currentReplicas = status.updatedReplicas;
        status.currentRevision = status.updateRevision;
      }
      const old = set.status ?? {};
      const changed = (status.observedGeneration ?? 0) > (old.observedGeneration ?? 0) || STATUS_FIELDS.some((k) => (status[k] ?? 0) !== (old[k] ?? 0)) || (status.collisionCount ?? 0) !== (old.collisionCount ?? 0);
      if (!changed) return;
      let fresh = structuredClone(set);
      for (let attempt = 0; ; attempt++) {
        fresh.status = { ...(fresh.status ?? {}), ...status };
        try {
          await client.update(setPath(set, 'status'), fresh);
          return;
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 409) || attempt >= 3) throw e;
          fresh = await client.get<StatefulSet>(setPath(set));
        }
      }
    }

    async function sync(key: string): Promise<ReconcileResult | void> {
      const set = sets.getByKey(key);
      if (!set) return;
      const selector = selectorFromLabelSelector(set.spec?.selector);
      const ns = set.metadata.namespace!;
      // Revisions first (adoptOrphanRevisions), then pods; both only ours or matching orphans.
      const ownedRevisions = await claimChildren({
        client, owner: set, ownerApiVersion: 'apps/v1', ownerKind: 'StatefulSet', selector,
        candidates: revisions.list(ns), ownerPath: setPath(set), childPath: (r) => revisionPath(ns, r.metadata.name),
      });
      const ownedPods = await claimChildren({
        client, owner: set, ownerApiVersion: 'apps/v1', ownerKind: 'StatefulSet', selector,
        // Only pods whose name makes them members may be adopted; owned non-members are released.
        candidates: pods.list(ns).filter((p) => isMemberOf(set, p) || controllerRefOf(p)?.uid === set.metadata.uid),
        ownerPath: setPath(set), childPath: podPath,
      }).then((ps) => ps.filter((p) => isMemberOf(set, p)));

      const revs = await statefulSetRevisions(client, set, ownedRevisions);
      let status: StatefulSetStatus | undefined;
      let failure: unknown;
      try {
        status = await updateStatefulSet(set, revs, ownedPods, control, { event: (t, r, m) => ctx.recorder.event({ ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' }, t, r, m) }, Date.now());
      } catch (e) {
        failure = e;
      }
      if (status) await writeStatus(set, status);
      await truncateHistory(client, set, ownedPods, ownedRevisions, revs.current, revs.update);
      if (failure) throw failure;
      const minReady = set.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && status && status.availableReplicas !== replicasOf(set)) return { requeueAfterMs: minReady * 1000 };
    }

    const controller = new Controller({ name: 'statefulset', log: ctx.log, workers: 2 }, sync);
    const enqueue = (set: StatefulSet) => controller.enqueue(objectKey(set));
    const resolve = (obj: KObject): StatefulSet | undefined => {
      const ref = controllerRefOf(obj);
      if (!ref || ref.kind !== 'StatefulSet') return undefined;
      const set = sets.get(obj.metadata.namespace!, ref.name);
      return set && set.metadata.uid === ref.uid ? set : undefined;
    };
    const matching = (obj: KObject): StatefulSet[] =>
      sets.list(obj.metadata.namespace).filter((s) => {
        try {
          return selectorFromLabelSelector(s.spec?.selector).matches(obj.metadata.labels);
        } catch {
          return false;
        }
      });
    const wake = (obj: KObject) => {
      const set = resolve(obj);
      if (set) enqueue(set);
      else if (!controllerRefOf(obj)) matching(obj).forEach(enqueue);
    };

    sets.addHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: enqueue });
    pods.addHandler({
      onAdd: wake,
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        const oldSet = resolve(old);
        if (oldSet && oldSet !== resolve(pod)) enqueue(oldSet);
        wake(pod);
        const set = resolve(pod);
        const minReady = set?.spec?.minReadySeconds ?? 0;
        if (set && minReady > 0 && !isRunningAndReady(old) && isRunningAndReady(pod)) controller.queue.addAfter(objectKey(set), minReady * 1000 + 1000);
      },
      onDelete: (pod) => {
        const set = resolve(pod);
        if (set) enqueue(set);
      },
    });
    revisions.addHandler({ onAdd: wake, onDelete: (r) => { const s = resolve(r); if (s) enqueue(s); } });
    await controller.run(signal);
  },
};
