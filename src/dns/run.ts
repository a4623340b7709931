// Cluster DNS as one component: informers on Services and EndpointSlices feed the records, the
// server answers on UDP+TCP, and the kube-dns Service's endpoints are kept pointing at it.
// Runs until the signal aborts; the returned promise of `done` settles when all has stopped.
import type { Logger } from '../util/log.js';
import { sleep } from '../util/sleep.js';
import type { RestClient } from '../client/rest-client.js';
import { Informer } from '../client/informer.js';
import { ClusterRecords } from './cluster-records.js';
import type { DnsEndpointSlice, DnsService } from './cluster-records.js';
import { ClusterLookup } from './lookup.js';
import { Forwarder, readUpstreams } from './forward.js';
import { QueryHandler } from './handler.js';
import { startDnsServer } from './server.js';
import { ensureKubeDns } from './kube-dns-service.js';

export interface ClusterDnsConfig {
  /** Address to listen on; also the address published in kube-dns's endpoints. */
  address: string;
  /** Port to listen on; undefined: 53 when free, else a free port. */
  port?: number;
  clusterIp: string;
  clusterDomain: string;
  resolvConf: string;
  /** Total forwarding timeout (default 2000 ms). */
  forwardTimeoutMs?: number;
}

export interface RunningClusterDns {
  port: number;
  done: Promise<void>;
}

const REPUBLISH_MS = 30_000;

export async function runClusterDns(cfg: ClusterDnsConfig, client: RestClient, log: Logger, signal: AbortSignal): Promise<RunningClusterDns> {
  const records = new ClusterRecords();
  const lookup = new ClusterLookup(records, cfg.clusterDomain);
  const upstreams = readUpstreams(cfg.resolvConf);
  const handler = new QueryHandler(lookup, new Forwarder(upstreams, cfg.forwardTimeoutMs ?? 2000));
  const onError = (m: string) => log.warn(m);

  let server;
  if (cfg.port !== undefined) server = await startDnsServer(cfg.address, cfg.port, handler, signal, onError);
  else {
    try {
      server = await startDnsServer(cfg.address, 53, handler, signal, onError);
    } catch (e) {
      log.info(`port 53 on ${cfg.address} is not available (${(e as Error).message}); using a free port`);
      server = await startDnsServer(cfg.address, 0, handler, signal, onError);
    }
  }

  const services = new Informer<DnsService>(client, { group: '', version: 'v1', resource: 'services', onError });
  services.addHandler({ onAdd: (s) => records.setService(s), onUpdate: (_o, s) => records.setService(s), onDelete: (s) => records.deleteService(s) });
  const slices = new Informer<DnsEndpointSlice>(client, { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', onError });
  slices.addHandler({ onAdd: (s) => records.setSlice(s), onUpdate: (_o, s) => records.setSlice(s), onDelete: (s) => records.deleteSlice(s) });
  const informers = [services.run(signal), slices.run(signal)];
  log.info(`cluster DNS listening on ${cfg.address}:${server.port} (udp, tcp) for ${lookup.domain}; forwarding to ${upstreams.map((u) => u.host).join(', ') || 'nothing (no usable nameserver in ' + cfg.resolvConf + ')'}`);

  const target = { clusterIp: cfg.clusterIp, address: cfg.address, port: server.port };
  const publisher = (async () => {
    let last = '';
    while (!signal.aborted) {
      try {
        const changed = await ensureKubeDns(client, target);
        if (changed.length) log.info(`kube-dns ${cfg.clusterIp}:53 → ${cfg.address}:${server.port} (${changed.join(', ')})`);
        last = '';
      } catch (e) {
        const msg = `publishing kube-system/kube-dns: ${(e as Error).message}`;
        if (msg !== last && !signal.aborted) log.warn(msg);
        last = msg;
      }
      await sleep(last ? 2000 : REPUBLISH_MS, signal);
    }
  })();

  const done = (async () => {
    await Promise.allSettled([...informers, publisher, server.done]);
  })();
  return { port: server.port, done };
}
