// The control loops of a server: the controller manager and the scheduler, each under its own
// leader-election Lease, talking to the API server over HTTPS like any client, and sharing their
// informers' caches (InformerPool) while both lead. `kts server` runs them in a worker thread
// (control-loops-worker.ts) so they use the second core, not the API server's event loop.
import type { LogLevel } from '../util/log.js';
import { createLogger } from '../util/log.js';
import { builtinResources } from '../api/resources.js';
import { RestClient } from '../client/rest-client.js';
import { InformerPool } from '../client/informer.js';
import { runControllerManager } from '../controllers/manager.js';
import { defaultControllerConfig } from '../controllers/context.js';
import { runScheduler } from '../scheduler/index.js';

export interface ControlLoopsConfig {
  server: string;
  caPem: string;
  /** Each loop's own client certificate (system:kube-controller-manager, system:kube-scheduler, the local-path provisioner's). */
  controllerManager: { certPem: string; keyPem: string };
  scheduler: { certPem: string; keyPem: string };
  localPathProvisioner: { certPem: string; keyPem: string };
  clusterCidr: string;
  serviceCidr: string;
  logLevel: LogLevel;
  /** Where local-path volumes go when kube-system/local-path-config names no directory. */
  localPathStorageDir?: string;
}

export async function runControlLoops(cfg: ControlLoopsConfig, signal: AbortSignal): Promise<void> {
  const log = createLogger({ level: cfg.logLevel, component: 'server' });
  const client = new RestClient({ server: cfg.server, caPem: cfg.caPem, ...cfg.controllerManager, userAgent: 'kube-controller-manager', maxSockets: 128 });
  const schedulerClient = new RestClient({ server: cfg.server, caPem: cfg.caPem, ...cfg.scheduler, userAgent: 'kube-scheduler', maxSockets: 64 });
  const localPathClient = new RestClient({ server: cfg.server, caPem: cfg.caPem, ...cfg.localPathProvisioner, userAgent: 'local-path-provisioner' });
  const clientFor = (controller: string) => (controller === 'local-path-provisioner' ? localPathClient : undefined);
  // One cache of pods, nodes and the rest for both loops (each still under its own Lease).
  const informerPool = new InformerPool(client, (m) => log.debug(m));
  try {
    await Promise.all([
      runControllerManager({ client, clientFor, log: log.child('controller-manager'), resources: builtinResources, config: { ...defaultControllerConfig, clusterCidr: cfg.clusterCidr, serviceCidr: cfg.serviceCidr, rootCaPem: cfg.caPem, localPathStorageDir: cfg.localPathStorageDir ?? defaultControllerConfig.localPathStorageDir }, informerPool }, signal),
      runScheduler({ client: schedulerClient, log: log.child('scheduler'), informerPool }, signal),
    ]);
  } finally {
    await informerPool.stopped();
    client.close();
    schedulerClient.close();
    localPathClient.close();
  }
}
