// The scheduler component: runScheduler runs kube-scheduler's loop under leader election (Lease
// kube-scheduler in kube-system); the pure pieces are exported for tests and benchmarks.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { InformerFactory } from '../client/informer.js';
import type { InformerPool } from '../client/informer.js';
import { EventRecorder } from '../client/events.js';
import { CONTROL_PLANE_LEASE, runLeaderElection } from '../client/leader-election.js';
import { Scheduler } from './scheduler.js';
import { schedulerInformers } from './informers.js';
import { DEFAULT_SCHEDULER_NAME } from './types.js';

export { Scheduler, type SchedulerOptions } from './scheduler.js';
export { schedulerInformers } from './informers.js';
export { SchedulingQueue } from './queue.js';
export { SchedulerCache } from './cache.js';
export { NodeInfo } from './node-info.js';
export { newPodInfo, type PodInfo } from './pod-info.js';
export { Algorithm, numFeasibleNodesToFind, selectHost } from './schedule-one.js';
export { fitErrorMessage } from './fit-error.js';
export { registry, defaultProfile } from './registry.js';
export { fits } from './plugins/node-resources-fit.js';
export { benchmarkScheduler, type BenchmarkResult } from './bench.js';

export interface RunSchedulerOptions {
  client: RestClient;
  log: Logger;
  identity?: string;
  schedulerName?: string;
  /** Informers shared with other components of the process (the controller manager's). */
  informerPool?: InformerPool;
}

/** Runs the scheduler while this process holds the kube-scheduler Lease; resolves when `signal` aborts. */
export async function runScheduler(opts: RunSchedulerOptions, signal: AbortSignal): Promise<void> {
  const identity = opts.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  const schedulerName = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  await runLeaderElection(
    opts.client,
    { name: 'kube-scheduler', namespace: 'kube-system', identity, log: opts.log, ...CONTROL_PLANE_LEASE },
    async (leading) => {
      // One abort listener per informer watch, plus the loop's.
      setMaxListeners(64, leading);
      const factory = new InformerFactory(opts.client, { resyncMs: 0, onError: (m) => opts.log.debug(m), pool: opts.informerPool });
      const inf = schedulerInformers(factory);
      const recorder = new EventRecorder(opts.client, { component: schedulerName, host: identity }, opts.log);
      const scheduler = new Scheduler({ client: opts.client, log: opts.log, recorder, schedulerName, listers: inf.listers });
      inf.connect(scheduler);
      factory.start(leading);
      await Promise.race([factory.waitForSync(), new Promise<void>((r) => leading.addEventListener('abort', () => r(), { once: true }))]);
      opts.log.info(`scheduler ${schedulerName} started (${scheduler.cache.nodeCount} nodes)`);
      await scheduler.run(leading);
      await factory.stopped();
    },
    signal,
  );
}
