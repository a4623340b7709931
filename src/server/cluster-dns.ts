// The packaged cluster DNS (k3s ships CoreDNS as pods; kts answers in-process): the DNS server on
// the node IP (the advertise address without an agent) and the kube-dns Service pointing at it,
// talking to the API over loopback with the admin identity. `--disable coredns` leaves it out.
import type { Logger } from '../util/log.js';
import { RestClient } from '../client/rest-client.js';
import { runClusterDns } from '../dns/run.js';
import type { ServerConfig } from './config.js';

export interface ClusterDnsRunConfig {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Runs until the signal aborts; a failure to start (port in use) is logged and the server keeps serving. */
export async function startClusterDns(api: ClusterDnsRunConfig, cfg: ServerConfig, log: Logger, signal: AbortSignal): Promise<void> {
  const client = new RestClient({ server: api.server, caPem: api.caPem, certPem: api.certPem, keyPem: api.keyPem, userAgent: 'kts-cluster-dns' });
  try {
    const dns = await runClusterDns(
      { address: cfg.agent?.nodeIp ?? cfg.advertiseAddress, port: cfg.dns.port, clusterIp: cfg.dns.clusterIp, clusterDomain: cfg.dns.domain, resolvConf: cfg.dns.resolvConf },
      client,
      log,
      signal,
    );
    await dns.done;
  } catch (e) {
    if (!signal.aborted) log.error(`cluster DNS failed to start: ${(e as Error).message}`);
  } finally {
    client.close();
  }
}
