// The ReplicaSet and ReplicationController controllers (one implementation, two flavours, as
// upstream's RC controller wraps the RS one): keep spec.replicas active pods that match the
// selector. Orphans that match are adopted and owned pods that stop matching are released;
// missing pods are created from the template in slow-start batches (1, 2, 4, …, at most 500 per
// sync) and surplus pods deleted in upstream's ActivePods order. Expectations keep a lagging
// watch from causing double creates or deletes. Status goes through /status.
import type { KObject } from '../api/types.js';
import { clone } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { LabelSelector } from '../api/selectors/label-selector.js';
import { selectorFromLabelSelector } from '../api/selectors/label-selector.js';
import { resourcePath } from '../client/rest-client.js';
import { Controller, TerminalError } from '../client/controller.js';
import { objectKey, splitKey } from '../client/informer.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { Expectations } from './replicaset-expectations.js';
import { claimChildren, controllerOf, controllerRef } from './replicaset-claim.js';
import type { Pod } from './replicaset-pods.js';
import { isPodActive, isPodReady, podsToDelete } from './replicaset-pods.js';
import type { ReplicaSetLike } from './replicaset-status.js';
import { calculateStatus, statusChanged } from './replicaset-status.js';

/** Most pods created or deleted in one sync (upstream burstReplicas). */
export const BURST_REPLICAS = 500;

interface Flavor {
  name: string;
  group: string;
  resource: string;
  kind: string;
  apiVersion: string;
  selectorOf(o: ReplicaSetLike): LabelSelector;
}

const replicaSetFlavor: Flavor = {
  name: 'replicaset',
  group: 'apps',
  resource: 'replicasets',
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  selectorOf: (o) => selectorFromLabelSelector((o.spec as { selector?: Parameters<typeof selectorFromLabelSelector>[0] }).selector),
};

const replicationControllerFlavor: Flavor = {
  name: 'replicationcontroller',
  group: '',
  resource: 'replicationcontrollers',
  kind: 'ReplicationController',
  apiVersion: 'v1',
  // An RC selects by a plain label map (an empty map would select everything; validation forbids it).
  selectorOf: (o) => selectorFromLabelSelector({ matchLabels: (o.spec as { selector?: Record<string, string> }).selector ?? {} }),
};

/** Runs `fn` count times in batches of 1, 2, 4, …; stops after a batch with an error. */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, fn));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason as Error };
    remaining -= size;
  }
  return { successes };
}

function isTimeout(e: unknown): boolean {
  return e instanceof StatusError && (e.code === 504 || e.reason === 'Timeout');
}

function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof StatusError && (e.details?.causes ?? []).some((c) => c.type === 'NamespaceTerminating');
}

function makeController(flavor: Flavor): ControllerDef {
  return {
    name: flavor.name,
    async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const { client, recorder } = ctx;
      const owners = ctx.informers.informer<ReplicaSetLike>(flavor.group, 'v1', flavor.resource);
      const pods = ctx.informers.informer<Pod>('', 'v1', 'pods');
      const expectations = new Expectations();
      const podPath = (ns: string, name?: string): string => resourcePath('', 'v1', 'pods', ns, name);

      /** The owner a controller reference points at, if it is one of ours and still the same object. */
      const resolve = (ns: string, ref: { kind: string; name: string; uid: string } | undefined): ReplicaSetLike | undefined => {
        if (!ref || ref.kind !== flavor.kind) return undefined;
        const o = owners.get(ns, ref.name);
        return o && o.metadata.uid === ref.uid ? o : undefined;
      };
      const matchingOwners = (pod: Pod): ReplicaSetLike[] =>
        owners.list(pod.metadata.namespace).filter((o) => {
          const sel = flavor.selectorOf(o);
          return !sel.empty && sel.matches(pod.metadata.labels);
        });

      const createPod = async (rs: ReplicaSetLike): Promise<void> => {
        const template = clone((rs.spec as { template?: { metadata?: KObject['metadata']; spec?: unknown } }).template ?? {});
        const meta = template.metadata ?? {};
        const labels = meta.labels ?? {};
        if (Object.keys(labels).length === 0) throw new Error('unable to create pods, no labels');
        const pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { generateName: `${rs.metadata.name}-`, namespace: rs.metadata.namespace, labels, annotations: meta.annotations, finalizers: meta.finalizers, ownerReferences: [controllerRef(rs, flavor.apiVersion, flavor.kind)] },
          spec: template.spec,
        };
        try {
          const created = await client.create<Pod>(podPath(rs.metadata.namespace!), pod);
          recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (e) {
          recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          throw e;
        }
      };

      const relatedPods = (rs: ReplicaSetLike): Pod[] => {
        // Pods of every ReplicaSet with the same controller (a Deployment's old and new sets),
        // so scale-down prefers nodes where that workload is doubled up.
        const ref = controllerOf(rs);
        if (!ref) return [];
        const uids = new Set(owners.list(rs.metadata.namespace).filter((o) => controllerOf(o)?.uid === ref.uid).map((o) => o.metadata.uid));
        return pods.list(rs.metadata.namespace).filter((p) => uids.has(controllerOf(p)?.uid));
      };

      const manageReplicas = async (key: string, rs: ReplicaSetLike, active: Pod[]): Promise<{ error?: Error; diff: number }> => {
        const diff = active.length - (rs.spec?.replicas ?? 1);
        if (diff < 0) {
          const n = Math.min(-diff, BURST_REPLICAS);
          expectations.expectCreations(key, n);
          const r = await slowStartBatch(n, 1, async () => {
            try {
              await createPod(rs);
            } catch (e) {
              // A timed-out create may still happen; the informer will tell.
              if (isTimeout(e)) return;
              throw e;
            }
          });
          for (let i = r.successes; i < n; i++) expectations.creationObserved(key);
          // Nothing more to do in a namespace that is going away (upstream ignores it too).
          if (r.error && isNamespaceTerminating(r.error)) return { diff };
          return { error: r.error, diff };
        }
        if (diff > 0) {
          const n = Math.min(diff, BURST_REPLICAS);
          const victims = podsToDelete(active, relatedPods(rs), n);
          expectations.expectDeletions(key, victims.map(objectKey));
          const errors: Error[] = [];
          await Promise.all(
            victims.map(async (p) => {
              try {
                await client.delete(podPath(p.metadata.namespace!, p.metadata.name));
                recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
              } catch (e) {
                expectations.deletionObserved(key, objectKey(p));
                if (e instanceof StatusError && e.code === 404) return;
                recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
                errors.push(e as Error);
              }
            }),
          );
          return { error: errors[0], diff };
        }
        return { diff };
      };

      const sync = async (key: string): Promise<{ requeueAfterMs?: number } | void> => {
        const { namespace, name } = splitKey(key);
        const rs = owners.get(namespace, name);
        if (!rs) {
          expectations.delete(key);
          return;
        }
        const needsSync = expectations.satisfied(key);
        let selector: LabelSelector;
        try {
          selector = flavor.selectorOf(rs);
        } catch (e) {
          throw new TerminalError(`invalid selector: ${(e as Error).message}`);
        }
        const active = pods.list(namespace).filter(isPodActive);
        const owned = await claimChildren<Pod>({
          client,
          owner: rs,
          ownerApiVersion: flavor.apiVersion,
          ownerKind: flavor.kind,
          ownerPath: resourcePath(flavor.group, 'v1', flavor.resource, namespace, name),
          selector,
          candidates: active,
          childPath: (p) => podPath(namespace, p.metadata.name),
        });
        let manage: { error?: Error; diff: number } = { diff: 0 };
        if (needsSync && !rs.metadata.deletionTimestamp) manage = await manageReplicas(key, rs, owned);
        const next = calculateStatus(rs, owned, manage.error, manage.diff);
        let updated: ReplicaSetLike = rs;
        if (statusChanged(rs, next)) {
          const obj = clone(rs);
          obj.status = { ...next, observedGeneration: rs.metadata.generation };
          updated = await client.update<ReplicaSetLike>(resourcePath(flavor.group, 'v1', flavor.resource, namespace, name, 'status'), obj);
        }
        if (manage.error) throw manage.error;
        // Pods become available minReadySeconds after turning ready; look again then.
        const minReady = updated.spec?.minReadySeconds ?? 0;
        const replicas = updated.spec?.replicas ?? 1;
        if (minReady > 0 && updated.status?.readyReplicas === replicas && updated.status?.availableReplicas !== replicas) return { requeueAfterMs: minReady * 1000 };
      };

      const controller = new Controller({ name: flavor.name, log: ctx.log, workers: 5 }, sync);
      const enqueueOwnerOf = (pod: Pod): ReplicaSetLike | undefined => {
        const rs = resolve(pod.metadata.namespace!, controllerOf(pod));
        if (rs) controller.enqueue(objectKey(rs));
        return rs;
      };
      const podDeleted = (pod: Pod): void => {
        const rs = resolve(pod.metadata.namespace!, controllerOf(pod));
        if (!rs) return;
        expectations.deletionObserved(objectKey(rs), objectKey(pod));
        controller.enqueue(objectKey(rs));
      };

      owners.addHandler({
        onAdd: (o) => controller.enqueue(objectKey(o)),
        onUpdate: (_old, o) => controller.enqueue(objectKey(o)),
        onDelete: (o) => {
          expectations.delete(objectKey(o));
          controller.enqueue(objectKey(o));
        },
      });
      pods.addHandler({
        onAdd: (pod) => {
          if (pod.metadata.deletionTimestamp) return podDeleted(pod);
          if (controllerOf(pod)) {
            const rs = resolve(pod.metadata.namespace!, controllerOf(pod));
            if (!rs) return;
            expectations.creationObserved(objectKey(rs));
            controller.enqueue(objectKey(rs));
            return;
          }
          for (const rs of matchingOwners(pod)) controller.enqueue(objectKey(rs));
        },
        onUpdate: (old, pod) => {
          if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
          const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
          if (pod.metadata.deletionTimestamp) {
            podDeleted(pod);
            if (labelsChanged) podDeleted(old);
            return;
          }
          const oldRef = controllerOf(old);
          const curRef = controllerOf(pod);
          const refChanged = oldRef?.uid !== curRef?.uid;
          if (refChanged && oldRef) enqueueOwnerOf(old);
          if (curRef) {
            const rs = enqueueOwnerOf(pod);
            const minReady = rs?.spec?.minReadySeconds ?? 0;
            if (rs && minReady > 0 && !isPodReady(old) && isPodReady(pod)) controller.queue.addAfter(objectKey(rs), minReady * 1000 + 1000);
            return;
          }
          if (labelsChanged || refChanged) for (const rs of matchingOwners(pod)) controller.enqueue(objectKey(rs));
        },
        onDelete: podDeleted,
      });
      await controller.run(signal);
    },
  };
}

export const replicaSetController: ControllerDef = makeController(replicaSetFlavor);
export const replicationControllerController: ControllerDef = makeController(replicationControllerFlavor);
