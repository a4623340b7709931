// The TTL-after-finished controller (kube-controller-manager's "ttl-after-finished"): deletes a
// finished Job (Complete or Failed) ttlSecondsAfterFinished after the condition's
// lastTransitionTime. Before deleting it re-reads the Job, since the TTL is mutable, and deletes
// with a UID precondition and Foreground propagation, as upstream (its pods go first, through the
// garbage collector).
import { StatusError } from '../api/errors.js';
import { Controller } from '../client/controller.js';
import { objectKey, splitKey } from '../client/informer.js';
import { resourcePath } from '../client/rest-client.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { isJobFinished } from './job/conditions.js';
import type { Job } from './job/types.js';
import { Wakeups } from './job/wakeups.js';

export interface TtlAfterFinishedOptions {
  /** The clock (tests). */
  now?: () => number;
  workers?: number;
}

/** Milliseconds until the Job may be deleted (<= 0: now), or undefined if it needs no cleanup. */
export function ttlRemainingMs(job: Job, now: number): number | undefined {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (job.metadata.deletionTimestamp || ttl === undefined || ttl === null || !isJobFinished(job)) return undefined;
  const cond = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const finishedAt = Date.parse(cond?.lastTransitionTime ?? '');
  if (Number.isNaN(finishedAt)) return undefined;
  return finishedAt + ttl * 1000 - now;
}

export function createTtlAfterFinishedController(opts: TtlAfterFinishedOptions = {}): ControllerDef {
  return {
    name: 'ttl-after-finished',
    async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const jobs = ctx.informers.informer<Job>('batch', 'v1', 'jobs');
      const now = opts.now ?? Date.now;
      const controller = new Controller({ name: 'ttl-after-finished', log: ctx.log, workers: opts.workers ?? 2 }, async (key) => {
        const cached = jobs.getByKey(key);
        if (!cached) return;
        const left = ttlRemainingMs(cached, now());
        if (left === undefined) return;
        if (left > 0) return wakeups.after(key, left);
        // The cached TTL may be stale: decide on the live object.
        const { namespace, name } = splitKey(key);
        const path = resourcePath('batch', 'v1', 'jobs', namespace, name);
        let fresh: Job;
        try {
          fresh = await ctx.client.get<Job>(path);
        } catch (e) {
          if (e instanceof StatusError && e.code === 404) return;
          throw e;
        }
        const freshLeft = ttlRemainingMs(fresh, now());
        if (freshLeft === undefined) return;
        if (freshLeft > 0) return wakeups.after(key, freshLeft);
        try {
          await ctx.client.delete(path, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
          ctx.log.debug(`ttl-after-finished: deleted job ${key}`);
        } catch (e) {
          if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
        }
      });
      const wakeups = new Wakeups((key) => controller.enqueue(key), signal);
      const enqueue = (j: Job): void => {
        if (ttlRemainingMs(j, now()) !== undefined) controller.enqueue(objectKey(j));
      };
      jobs.addHandler({ onAdd: enqueue, onUpdate: (_old, j) => enqueue(j) });
      await controller.run(signal);
    },
  };
}

export const ttlAfterFinishedController: ControllerDef = createTtlAfterFinishedController();
