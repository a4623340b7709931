// The Job controller (kube-controller-manager's "job"): watches Jobs and pods, keys the work queue
// by Job, and runs job-sync.ts for each. Pods whose Job is gone, replaced or finished but which
// still hold the job-tracking finalizer are queued as `pod:<ns>/<name>` and have it removed, so a
// deleted Job never leaves undeletable pods behind.
import { StatusError } from '../../api/errors.js';
import { selectorFromLabelSelector } from '../../api/selectors/label-selector.js';
import { Controller } from '../../client/controller.js';
import { objectKey } from '../../client/informer.js';
import { resourcePath } from '../../client/rest-client.js';
import type { ControllerContext, ControllerDef } from '../context.js';
import { BackoffStore } from './backoff.js';
import { isJobFinished } from './conditions.js';
import { Expectations } from './expectations.js';
import { hasTrackingFinalizer } from './job-pods.js';
import { syncJob } from './job-sync.js';
import { claimPods, controllerOf, PodIndex } from './pod-index.js';
import type { JobSyncDeps } from './sync-context.js';
import { Wakeups } from './wakeups.js';
import { JOB_CONTROLLER_NAME, JOB_TRACKING_FINALIZER } from './types.js';
import type { Job, Pod } from './types.js';

export interface JobControllerOptions {
  /** First delay before recreating a failed pod (upstream 10 s); doubles per failure. */
  backoffBaseMs?: number;
  /** Cap of that delay (upstream 6 min). */
  backoffMaxMs?: number;
  /** The clock (tests). */
  now?: () => number;
  workers?: number;
}

const POD_PREFIX = 'pod:';

export function createJobController(opts: JobControllerOptions = {}): ControllerDef {
  return {
    name: 'job',
    async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const jobs = ctx.informers.informer<Job>('batch', 'v1', 'jobs');
      const pods = ctx.informers.informer<Pod>('', 'v1', 'pods');
      const index = new PodIndex();
      const deps: JobSyncDeps = {
        client: ctx.client,
        recorder: ctx.recorder,
        log: ctx.log,
        now: opts.now ?? Date.now,
        backoff: new BackoffStore(),
        expectations: new Expectations(),
        backoffBaseMs: opts.backoffBaseMs ?? 10_000,
        backoffMaxMs: opts.backoffMaxMs ?? 360_000,
      };

      /** The Job that controls the pod, if it is in the cache with the same uid. */
      const ownerJob = (p: Pod): Job | undefined => {
        const ref = controllerOf(p);
        if (!ref || ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return undefined;
        const job = jobs.get(p.metadata.namespace!, ref.name);
        return job && job.metadata.uid === ref.uid ? job : undefined;
      };

      const controller = new Controller({ name: 'job', log: ctx.log, workers: opts.workers ?? 4 }, async (key) => {
        if (key.startsWith(POD_PREFIX)) return releaseOrphan(key.slice(POD_PREFIX.length));
        const job = jobs.getByKey(key);
        if (!job) return;
        const owned = await claimPods(ctx.client, index, job);
        const delay = await syncJob(deps, key, job, owned);
        if (delay !== undefined) wakeups.after(key, delay);
      });
      const wakeups = new Wakeups((key) => controller.enqueue(key), signal);

      /** Removes the tracking finalizer from a pod no unfinished Job of ours controls. */
      const releaseOrphan = async (podKey: string): Promise<void> => {
        const pod = pods.getByKey(podKey);
        if (!pod || !hasTrackingFinalizer(pod)) return;
        const ref = controllerOf(pod);
        if (ref && (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1')) return;
        const job = ownerJob(pod);
        if (job?.spec.managedBy && job.spec.managedBy !== JOB_CONTROLLER_NAME) return;
        if (job && !isJobFinished(job)) return;
        try {
          await ctx.client.patch(resourcePath('', 'v1', 'pods', pod.metadata.namespace, pod.metadata.name), { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } }, 'strategic');
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      };

      const enqueueForPod = (p: Pod): void => {
        const ref = controllerOf(p);
        if (ref) {
          const job = ownerJob(p);
          if (job) controller.enqueue(objectKey(job));
          if (hasTrackingFinalizer(p) && (!job || isJobFinished(job))) controller.enqueue(POD_PREFIX + objectKey(p));
          return;
        }
        if (hasTrackingFinalizer(p)) controller.enqueue(POD_PREFIX + objectKey(p));
        // An orphan: every Job whose selector matches may adopt it.
        if (p.metadata.deletionTimestamp) return;
        for (const job of jobs.list(p.metadata.namespace)) {
          try {
            if (selectorFromLabelSelector(job.spec.selector).matches(p.metadata.labels)) controller.enqueue(objectKey(job));
          } catch {
            // An invalid selector matches nothing.
          }
        }
      };

      pods.addHandler({
        onAdd: (p) => {
          index.set(p);
          enqueueForPod(p);
        },
        onUpdate: (old, p) => {
          index.set(p, old);
          enqueueForPod(p);
          if (controllerOf(old)?.uid !== controllerOf(p)?.uid) enqueueForPod(old);
        },
        onDelete: (p) => {
          index.remove(p);
          const job = ownerJob(p);
          if (job) {
            deps.expectations.observeGone(objectKey(job), p);
            controller.enqueue(objectKey(job));
          }
        },
      });
      jobs.addHandler({
        onAdd: (j) => controller.enqueue(objectKey(j)),
        onUpdate: (_old, j) => controller.enqueue(objectKey(j)),
        onDelete: (j) => {
          const key = objectKey(j);
          deps.expectations.forget(key);
          deps.backoff.remove(key);
          for (const p of index.owned(j.metadata.uid!)) if (hasTrackingFinalizer(p)) controller.enqueue(POD_PREFIX + objectKey(p));
        },
      });
      await controller.run(signal);
    },
  };
}

/** The Job controller with upstream's timings. */
export const jobController: ControllerDef = createJobController();
