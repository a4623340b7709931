// Which API servers an agent may use: every endpoint of the `kubernetes` Service (each server
// publishes itself there, server/apiserver-endpoints.ts), read every 30 s into the pool of the
// agent's --server URL, so its clients fail over to another server when theirs goes away (k3s's
// agent load balancer does the same with the same list).
import type { RestClient } from '../client/rest-client.js';
import { ServerPool } from '../client/server-pool.js';
import type { Logger } from '../util/log.js';
import { sleep } from '../util/sleep.js';

const REFRESH_MS = 30_000;

interface Slice {
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number }[];
}

/** The servers' URLs from the `kubernetes` Service's EndpointSlices. */
export function serversFromSlices(slices: Slice[]): string[] {
  const out: string[] = [];
  for (const s of slices) {
    const port = (s.ports ?? []).find((p) => p.name === 'https')?.port ?? s.ports?.[0]?.port;
    if (!port) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const a of e.addresses ?? []) out.push(`https://${a.includes(':') ? `[${a}]` : a}:${port}`);
    }
  }
  return out;
}

/** Keeps the pool of `server` up to date until the signal aborts. */
export async function followApiServers(client: RestClient, server: string, log: Logger, signal: AbortSignal): Promise<void> {
  const pool = ServerPool.for(server);
  let last = '';
  while (!signal.aborted) {
    try {
      const list = await client.list<Slice & { metadata: object }>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes');
      const servers = serversFromSlices(list.items);
      if (servers.length) pool.setOthers(servers);
      const now = pool.servers.join(', ');
      if (now !== last) log.info(`API servers: ${now}`);
      last = now;
    } catch (e) {
      if (!signal.aborted) log.debug(`reading the API servers' addresses: ${(e as Error).message}`);
    }
    await sleep(REFRESH_MS, signal);
  }
}
