// k3s's ServiceLB add-on: the controller giving LoadBalancer Services the nodes' addresses (the
// forwarding is kube-proxy's, on every node). Talks to the API over loopback with the admin
// identity; `--disable servicelb` leaves it out and such Services stay pending.
import type { Logger } from '../util/log.js';
import { RestClient } from '../client/rest-client.js';
import { runServiceLb } from '../proxy/service-lb.js';

export async function startServiceLb(api: { server: string; caPem: string; certPem: string; keyPem: string }, log: Logger, signal: AbortSignal): Promise<void> {
  const client = new RestClient({ ...api, userAgent: 'kts-servicelb' });
  try {
    await runServiceLb(client, log, signal);
  } finally {
    client.close();
  }
}
