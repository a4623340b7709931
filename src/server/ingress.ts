// The packaged ingress controller (k3s ships Traefik as pods; kts runs its own in-process):
// the default IngressClass `kts` at bootstrap, and the controller on the node's ports, talking to
// the API over loopback with the admin identity. `--disable ingress` leaves both out. It runs only
// with the in-process node agent: the data plane (nginx, or the built-in proxy) reaches pod IPs
// through the node's pod network.
import type { Logger, LogLevel } from '../util/log.js';
import { StatusError } from '../api/errors.js';
import type { Store } from '../apiserver/registry/store.js';
import { RestClient } from '../client/rest-client.js';
import { defaultIngressClass } from '../ingress/ingress-class.js';
import { runIngressController } from '../ingress/controller.js';

const SYSTEM = { name: 'system:apiserver', groups: ['system:masters'] };

export async function bootstrapIngressClass(stores: Map<string, Store>): Promise<string[]> {
  const store = stores.get('networking.k8s.io/ingressclasses')!;
  const cls = defaultIngressClass();
  if (await store.tryGet('', cls.metadata.name!)) return [];
  try {
    await store.create('', cls, { user: SYSTEM, dryRun: false, warnings: [] });
    return [`ingressclasses/${cls.metadata.name}`];
  } catch (e) {
    if (e instanceof StatusError && e.code === 409) return [];
    throw e;
  }
}

export interface IngressRunConfig {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  nodeIp: string;
  httpPort: number;
  httpsPort: number;
  dataPlane: 'auto' | 'nginx' | 'builtin';
  /** The nginx data plane's config, certificates and pid file. */
  stateDir: string;
}

/**
 * Runs the controller in the server's process. (A worker thread kept proxied traffic off the API
 * server's event loop, but its own V8 isolate cost 10–15 MB of the node's memory budget; the proxy
 * mostly pipes sockets, which the event loop does cheaply.) Resolves when it has stopped.
 */
export function runIngress(cfg: IngressRunConfig, _logLevel: LogLevel, log: Logger, signal: AbortSignal): Promise<void> {
  return startIngress(cfg, log, signal);
}

/** Runs until the signal aborts; a failure to start (port in use) is logged, the server keeps serving. */
export async function startIngress(cfg: IngressRunConfig, log: Logger, signal: AbortSignal): Promise<void> {
  const client = new RestClient({ server: cfg.server, caPem: cfg.caPem, certPem: cfg.certPem, keyPem: cfg.keyPem, userAgent: 'kts-ingress' });
  try {
    const running = await runIngressController({ nodeIp: cfg.nodeIp, bindAddress: '0.0.0.0', httpPort: cfg.httpPort, httpsPort: cfg.httpsPort, dataPlane: cfg.dataPlane, stateDir: cfg.stateDir }, client, log, signal);
    await running.done;
  } catch (e) {
    if (!signal.aborted) log.error(`the ingress controller failed to start: ${(e as Error).message} (see --ingress-http-port, --ingress-https-port, --disable ingress)`);
  } finally {
    client.close();
  }
}
