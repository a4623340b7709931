// The controller manager: under one leader-election Lease (kube-controller-manager), starts the
// shared informers and every registered controller; stops them all when leadership is lost.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../util/log.js';
import type { ResourceInfo } from '../api/resources.js';
import type { RestClient } from '../client/rest-client.js';
import { InformerFactory } from '../client/informer.js';
import type { InformerPool } from '../client/informer.js';
import { EventRecorder } from '../client/events.js';
import { CONTROL_PLANE_LEASE, runLeaderElection } from '../client/leader-election.js';
import type { ControllerConfig, ControllerDef } from './context.js';
import { allControllers } from './registry.js';

export interface ManagerOptions {
  client: RestClient;
  log: Logger;
  config: ControllerConfig;
  resources: ResourceInfo[];
  /** Names to run (default: all). */
  enabled?: string[];
  identity?: string;
  /** A controller's own client (its own identity) for its writes; default: `client`. */
  clientFor?: (controller: string) => RestClient | undefined;
  /** Informers shared with other components of the process (the scheduler's). */
  informerPool?: InformerPool;
}

export async function runControllerManager(o: ManagerOptions, signal: AbortSignal): Promise<void> {
  const identity = o.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  const defs: ControllerDef[] = allControllers.filter((c) => !o.enabled || o.enabled.includes(c.name));
  await runLeaderElection(
    o.client,
    { name: 'kube-controller-manager', identity, log: o.log, ...CONTROL_PLANE_LEASE },
    async (leading) => {
      const informers = new InformerFactory(o.client, { resyncMs: o.config.resyncMs, onError: (m) => o.log.debug(m), pool: o.informerPool });
      const recorder = new EventRecorder(o.client, { component: 'kube-controller-manager' }, o.log);
      const ctx = { client: o.client, informers, recorder, log: o.log, config: o.config, resources: o.resources };
      const running = defs.map((d) =>
        d.start({ ...ctx, client: o.clientFor?.(d.name) ?? o.client, log: o.log.child(d.name) }, leading).catch((e) => o.log.error(`controller ${d.name} stopped: ${(e as Error).stack ?? e}`)),
      );
      informers.start(leading);
      o.log.info(`controllers started: ${defs.map((d) => d.name).join(', ')}`);
      await Promise.all(running);
      await informers.stopped();
    },
    signal,
  );
}
