// The DaemonSet controller (upstream pkg/controller/daemon): one pod per eligible node, each
// created with a required node affinity naming its node (matchFields metadata.name In [node]) so
// the default scheduler binds it; revisions of the template as ControllerRevisions; RollingUpdate
// within maxUnavailable/maxSurge or OnDelete; the status counts `kubectl rollout status` reads.
// Handlers only enqueue DaemonSet keys; syncDaemonSet reads the world from the informer caches.
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { selectorFromLabelSelector } from '../../api/selectors/label-selector.js';
import { resourcePath } from '../../client/rest-client.js';
import { Controller } from '../../client/controller.js';
import type { ReconcileResult } from '../../client/controller.js';
import { objectKey } from '../../client/informer.js';
import type { ControllerContext, ControllerDef } from '../context.js';
import { claimChildren } from '../replicaset-claim.js';
import type { ControllerRevision } from '../history.js';
import { POD_REVISION_LABEL, appsControllerRef, controllerRefOf } from '../history.js';
import { Expectations } from './expectations.js';
import type { Node } from './node-fit.js';
import { nodeShouldRunDaemonPod, pinToNode, withDaemonTolerations } from './node-fit.js';
import { computeStatus, planManage, planRollingUpdate, podsByNode } from './plan.js';
import type { Plan } from './plan.js';
import { cleanupHistory, constructHistory } from './revisions.js';
import type { DaemonPod, DaemonSet } from './types.js';
import { TEMPLATE_GENERATION_LABEL, isPodReady, templateGeneration } from './types.js';

/** Upstream's BurstReplicas: at most this many creations or deletions per sync. */
const BURST_REPLICAS = 250;

const podPath = (ns: string, name?: string) => resourcePath('', 'v1', 'pods', ns, name);
const dsPath = (ds: KObject, sub?: string) => resourcePath('apps', 'v1', 'daemonsets', ds.metadata.namespace, ds.metadata.name, sub);
const asEventObject = (ds: DaemonSet): KObject => ({ ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' });

export const daemonSetController: ControllerDef = {
  name: 'daemonset',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client, recorder } = ctx;
    const daemonSets = ctx.informers.informer<DaemonSet>('apps', 'v1', 'daemonsets');
    const revisions = ctx.informers.informer<ControllerRevision>('apps', 'v1', 'controllerrevisions');
    const pods = ctx.informers.informer<DaemonPod>('', 'v1', 'pods');
    const nodes = ctx.informers.informer<Node>('', 'v1', 'nodes');
    const expectations = new Expectations();

    const event = (ds: DaemonSet, type: 'Normal' | 'Warning', reason: string, message: string) => recorder.event(asEventObject(ds), type, reason, message);

    /** Creates pods on `nodeNames` in slow-start batches (1, 2, 4, …) and deletes `podNames`. */
    async function syncNodes(ds: DaemonSet, key: string, plan: Plan, hash: string): Promise<void> {
      const toCreate = plan.nodesNeedingPods.slice(0, BURST_REPLICAS);
      const toDelete = [...new Set(plan.podsToDelete)].slice(0, BURST_REPLICAS);
      expectations.set(key, toCreate.length, toDelete.length);
      const ns = ds.metadata.namespace!;
      const template = ds.spec?.template ?? {};
      const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}), [POD_REVISION_LABEL]: hash };
      const generation = templateGeneration(ds);
      if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = generation;
      const spec = { ...(template.spec ?? {}) };
      spec.tolerations = withDaemonTolerations(spec);
      const errors: string[] = [];
      let pos = 0;
      for (let batch = Math.min(1, toCreate.length); pos < toCreate.length; batch = Math.min(2 * batch, toCreate.length - pos)) {
        const failedBefore = errors.length;
        await Promise.all(
          toCreate.slice(pos, pos + batch).map(async (nodeName) => {
            const pod = {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { generateName: `${ds.metadata.name}-`, labels, annotations: template.metadata?.annotations, finalizers: template.metadata?.finalizers, ownerReferences: [appsControllerRef(ds, 'DaemonSet')] },
              spec: { ...structuredClone(spec), affinity: pinToNode(spec.affinity, nodeName) },
            };
            try {
              const created = await client.create<DaemonPod>(podPath(ns), pod);
              event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
            } catch (e) {
              expectations.creationObserved(key);
              // A terminating namespace refuses every create; nothing to report.
              if (e instanceof StatusError && e.code === 403 && /being terminated/.test(e.message)) return;
              event(ds, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
              errors.push((e as Error).message);
            }
          }),
        );
        pos += batch;
        if (errors.length > failedBefore && pos < toCreate.length) {
          // Slow start: stop after a failing batch; the skipped pods are no longer expected.
          expectations.lower(key, toCreate.length - pos, 0);
          break;
        }
      }
      await Promise.all(
        toDelete.map(async (name) => {
          try {
            await client.delete(podPath(ns, name));
            event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
          } catch (e) {
            expectations.deletionObserved(key);
            if (e instanceof StatusError && e.code === 404) return;
            event(ds, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
            errors.push((e as Error).message);
          }
        }),
      );
      if (errors.length) throw new Error(errors.join('; '));
    }

    async function storeStatus(ds: DaemonSet, podList: DaemonPod[], hash: string, observe: boolean): Promise<ReconcileResult | void> {
      const nodeList = nodes.list();
      const counts = computeStatus(ds, nodeList, podsByNode(podList, false), hash, Date.now());
      const st = ds.status ?? {};
      const gen = ds.metadata.generation ?? 0;
      const same = (Object.keys(counts) as (keyof typeof counts)[]).every((k) => (st[k] ?? 0) === counts[k]);
      if (!same || (st.observedGeneration ?? 0) < gen) {
        const upd = structuredClone(ds);
        upd.status = { ...st, ...counts };
        if (observe) upd.status.observedGeneration = gen;
        await client.update(dsPath(ds, 'status'), upd);
      }
      const minReady = ds.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && counts.numberReady !== counts.numberAvailable) return { requeueAfterMs: minReady * 1000 };
    }

    async function sync(key: string): Promise<ReconcileResult | void> {
      const ds = daemonSets.getByKey(key);
      if (!ds) {
        expectations.delete(key);
        return;
      }
      const sel = ds.spec?.selector;
      if (sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
        event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
        return;
      }
      // Being deleted: its revisions may already be gone, so status cannot be trusted either.
      if (ds.metadata.deletionTimestamp) return;
      const owned = await claimChildren({
        client,
        owner: ds,
        ownerApiVersion: 'apps/v1',
        ownerKind: 'DaemonSet',
        selector: selectorFromLabelSelector(sel),
        candidates: pods.list(ds.metadata.namespace),
        ownerPath: dsPath(ds),
        childPath: (p) => podPath(p.metadata.namespace!, p.metadata.name),
      });
      const { cur, old } = await constructHistory(client, ds, revisions, owned);
      const hash = cur.metadata.labels?.[POD_REVISION_LABEL] ?? '';
      if (!expectations.satisfied(key)) return storeStatus(ds, owned, hash, false);

      const nodeList = nodes.list();
      const manage = planManage(ds, nodeList, podsByNode(owned, false), hash, Date.now());
      for (const e of manage.events) event(ds, e.type, e.reason, e.message);
      let failure: unknown;
      try {
        await syncNodes(ds, key, manage, hash);
        if (expectations.satisfied(key) && ds.spec?.updateStrategy?.type === 'RollingUpdate') {
          const rolling = planRollingUpdate(ds, nodeList, podsByNode(owned, false), hash, Date.now());
          if (rolling.nodesNeedingPods.length || rolling.podsToDelete.length) await syncNodes(ds, key, rolling, hash);
        }
        await cleanupHistory(client, ds, old, owned);
      } catch (e) {
        failure = e;
      }
      const r = await storeStatus(ds, owned, hash, true);
      if (failure) throw failure;
      return r;
    }

    const controller = new Controller({ name: 'daemonset', log: ctx.log, workers: 2 }, sync);
    const enqueue = (ds: DaemonSet) => controller.enqueue(objectKey(ds));
    const resolve = (pod: KObject): DaemonSet | undefined => {
      const ref = controllerRefOf(pod);
      if (!ref || ref.kind !== 'DaemonSet') return undefined;
      const ds = daemonSets.get(pod.metadata.namespace!, ref.name);
      return ds && ds.metadata.uid === ref.uid ? ds : undefined;
    };
    const matching = (obj: KObject): DaemonSet[] =>
      daemonSets.list(obj.metadata.namespace).filter((ds) => {
        try {
          return selectorFromLabelSelector(ds.spec?.selector).matches(obj.metadata.labels);
        } catch {
          return false;
        }
      });

    daemonSets.addHandler({
      onAdd: enqueue,
      onUpdate: (_o, ds) => enqueue(ds),
      onDelete: (ds) => {
        expectations.delete(objectKey(ds));
        enqueue(ds);
      },
    });
    const podDeleted = (pod: DaemonPod) => {
      const ds = resolve(pod);
      if (!ds) return;
      expectations.deletionObserved(objectKey(ds));
      enqueue(ds);
    };
    pods.addHandler({
      onAdd: (pod) => {
        if (pod.metadata.deletionTimestamp) return podDeleted(pod);
        const ds = resolve(pod);
        if (ds) {
          expectations.creationObserved(objectKey(ds));
          enqueue(ds);
        } else if (!controllerRefOf(pod)) matching(pod).forEach(enqueue);
      },
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        if (pod.metadata.deletionTimestamp) {
          if (!old.metadata.deletionTimestamp) podDeleted(pod);
          return;
        }
        const oldDs = resolve(old);
        const ds = resolve(pod);
        if (oldDs && oldDs !== ds) enqueue(oldDs);
        if (ds) {
          enqueue(ds);
          const minReady = ds.spec?.minReadySeconds ?? 0;
          if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) controller.queue.addAfter(objectKey(ds), minReady * 1000 + 1000);
        } else if (!controllerRefOf(pod)) matching(pod).forEach(enqueue);
      },
      onDelete: (pod) => {
        if (!pod.metadata.deletionTimestamp) podDeleted(pod);
        else {
          const ds = resolve(pod);
          if (ds) enqueue(ds);
        }
      },
    });
    revisions.addHandler({
      onAdd: (rev) => {
        const ref = controllerRefOf(rev);
        if (!ref) matching(rev).forEach(enqueue);
      },
      onDelete: (rev) => {
        const ds = resolve(rev);
        if (ds) enqueue(ds);
      },
    });
    const eligibility = (node: Node, ds: DaemonSet) => JSON.stringify(nodeShouldRunDaemonPod(node, ds.spec?.template?.spec ?? {}));
    nodes.addHandler({
      onAdd: (node) => {
        for (const ds of daemonSets.list()) if (nodeShouldRunDaemonPod(node, ds.spec?.template?.spec ?? {}).shouldRun) enqueue(ds);
      },
      onUpdate: (old, node) => {
        // Only labels and taints decide eligibility (shouldIgnoreNodeUpdate).
        if (JSON.stringify(old.metadata.labels ?? {}) === JSON.stringify(node.metadata.labels ?? {}) && JSON.stringify(old.spec?.taints ?? []) === JSON.stringify(node.spec?.taints ?? [])) return;
        for (const ds of daemonSets.list()) if (eligibility(old, ds) !== eligibility(node, ds)) enqueue(ds);
      },
      onDelete: () => daemonSets.list().forEach(enqueue),
    });
    await controller.run(signal);
  },
};
