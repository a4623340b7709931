// What every controller gets: the API client, the shared informers, an event recorder, a logger
// and its slice of the configuration. Controllers talk to the API only through these.
import type { ResourceInfo } from '../api/resources.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import type { InformerFactory } from '../client/informer.js';
import type { EventRecorder } from '../client/events.js';

export interface ControllerConfig {
  /** Pod network; the node IPAM controller hands each node a /24 of it. */
  clusterCidr: string;
  serviceCidr: string;
  /** Node lifecycle: how long without a heartbeat before a node is NotReady (upstream 40 s). */
  nodeMonitorGracePeriodMs: number;
  /** Resync of informers (level-triggered safety net). */
  resyncMs: number;
  /** Local-path provisioner: the storage dir when kube-system/local-path-config names none. */
  localPathStorageDir: string;
  /** The CA that serves the API, published as the kube-root-ca.crt ConfigMap in every namespace. */
  rootCaPem?: string;
}

export const defaultControllerConfig: ControllerConfig = {
  clusterCidr: '10.42.0.0/16',
  serviceCidr: '10.43.0.0/16',
  nodeMonitorGracePeriodMs: 40_000,
  resyncMs: 5 * 60_000,
  localPathStorageDir: '/var/lib/kts/storage',
};

export interface ControllerContext {
  client: RestClient;
  informers: InformerFactory;
  recorder: EventRecorder;
  log: Logger;
  config: ControllerConfig;
  resources: ResourceInfo[];
}

/** A controller: set up handlers on informers (synchronously), then run until the signal aborts. */
export interface ControllerDef {
  name: string;
  start(ctx: ControllerContext, signal: AbortSignal): Promise<void>;
}
