// The CronJob controller (kube-controller-manager's "cronjob", v2): reconciles each CronJob when it
// or one of its Jobs changes, and wakes up at the next schedule time. The clock is injectable
// (createCronJobController({ now })) so tests need not wait for a minute boundary.
import { StatusError } from '../../api/errors.js';
import { clone } from '../../api/types.js';
import { Controller } from '../../client/controller.js';
import { objectKey } from '../../client/informer.js';
import { resourcePath } from '../../client/rest-client.js';
import type { ControllerContext, ControllerDef } from '../context.js';
import type { Job } from '../job/types.js';
import { Wakeups } from '../job/wakeups.js';
import { cleanupFinishedJobs, syncCronJob } from './cronjob-sync.js';
import type { CronJob } from './cronjob-sync.js';

export interface CronJobControllerOptions {
  /** The clock (tests). */
  now?: () => number;
  workers?: number;
}

export function createCronJobController(opts: CronJobControllerOptions = {}): ControllerDef {
  return {
    name: 'cronjob',
    async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const cronJobs = ctx.informers.informer<CronJob>('batch', 'v1', 'cronjobs');
      const jobs = ctx.informers.informer<Job>('batch', 'v1', 'jobs');
      const deps = { client: ctx.client, recorder: ctx.recorder, now: opts.now ?? Date.now };

      const controller = new Controller({ name: 'cronjob', log: ctx.log, workers: opts.workers ?? 2 }, async (key) => {
        const cached = cronJobs.getByKey(key);
        if (!cached) return;
        const cj = clone(cached);
        const owned = jobs.list(cj.metadata.namespace).filter((j) => (j.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === cj.metadata.uid));
        const cleaned = await cleanupFinishedJobs(deps, cj, owned);
        let result;
        let syncError: unknown;
        try {
          result = await syncCronJob(deps, cj, owned);
        } catch (e) {
          syncError = e;
        }
        if (cleaned || result?.updateStatus) {
          try {
            await ctx.client.update(resourcePath('batch', 'v1', 'cronjobs', cj.metadata.namespace, cj.metadata.name, 'status'), { ...cj, apiVersion: 'batch/v1', kind: 'CronJob' });
          } catch (e) {
            if (e instanceof StatusError && e.code === 404) return;
            throw e;
          }
        }
        if (result?.requeueAfterMs !== undefined) wakeups.after(key, result.requeueAfterMs);
        else if (syncError) throw syncError;
      });
      const wakeups = new Wakeups((key) => controller.enqueue(key), signal);

      const enqueueOwner = (j: Job): void => {
        const ref = (j.metadata.ownerReferences ?? []).find((r) => r.controller);
        if (ref?.kind === 'CronJob' && ref.apiVersion === 'batch/v1') controller.enqueue(`${j.metadata.namespace}/${ref.name}`);
      };
      cronJobs.addHandler({
        onAdd: (cj) => controller.enqueue(objectKey(cj)),
        onUpdate: (_old, cj) => controller.enqueue(objectKey(cj)),
      });
      jobs.addHandler({
        onAdd: enqueueOwner,
        onUpdate: (old, j) => {
          enqueueOwner(j);
          enqueueOwner(old);
        },
        onDelete: enqueueOwner,
      });
      await controller.run(signal);
    },
  };
}

/** The CronJob controller on the real clock. */
export const cronJobController: ControllerDef = createCronJobController();
