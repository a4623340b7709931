// A simulated agent: N kubelet-like nodes in one process (as kwok), talking to the API server
// like any client. It owns the nodes informer, the node registrations and heartbeats, and the
// pod runner; everything stops when the signal aborts, leaving the Node objects as they are
// (as a kubelet that stops): their leases lapse and the node lifecycle controller does the rest.
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { Informer } from '../client/informer.js';
import type { SimulatedAgentConfig } from './config.js';
import { HEARTBEAT_CONCURRENCY, SimulatedNodes } from './nodes.js';
import { PodRunner } from './pods.js';

export interface RunningAgent {
  /** Node names, PREFIX-0 … PREFIX-(N-1). */
  names: string[];
  /** Settles when every node is registered (or the signal aborted first). */
  registered: Promise<void>;
  /** Settles when everything has stopped after the signal aborted. */
  done: Promise<void>;
}

export function runSimulatedAgent(cfg: SimulatedAgentConfig, client: RestClient, log: Logger, signal: AbortSignal): RunningAgent {
  // Heartbeats on connections of their own (as the kubelet's heartbeat client), so Lease renewals
  // never queue behind the pods' status writes.
  const nodes = new SimulatedNodes(client.sibling({ maxSockets: HEARTBEAT_CONCURRENCY }), cfg, log);
  const nodeInformer = new Informer(client, { group: '', version: 'v1', resource: 'nodes', onError: (m) => log.debug(m) });
  nodes.current = (name) => nodeInformer.get('', name);
  const runner = new PodRunner(client, nodes, nodeInformer, log.child('pods'));
  const started = Date.now();
  const synced = new Promise<void>((resolve) => {
    void nodeInformer.waitForSync().then(resolve);
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const registered = synced.then(() => nodes.register(signal)).then(() => {
    if (!signal.aborted) log.info(`registered ${cfg.nodes} simulated node(s) ${nodes.names[0]}${cfg.nodes > 1 ? ` … ${nodes.names[cfg.nodes - 1]}` : ''} in ${Date.now() - started} ms`);
  });
  const done = Promise.all([nodeInformer.run(signal), runner.run(signal), nodes.heartbeat(signal)]).then(() => undefined);
  return { names: nodes.names, registered, done };
}
