// The `kubernetes` Service's endpoints: every live API server, as upstream's lease endpoint
// reconciler keeps them. Each server renews a Lease of its own in kube-system (labelled as
// upstream's API server identity leases) every 10 s, and from the Leases still live (renewed within
// 15 s) writes the Endpoints and EndpointSlice `kubernetes` in default when they differ. So pods
// (through kube-proxy) and joined agents (which fail over between the addresses) reach every
// server, and a server that died drops out within ~25 s. A server that stops cleanly removes itself.
import { createHash } from 'node:crypto';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Store } from '../apiserver/registry/store.js';
import type { Logger } from '../util/log.js';
import { sleep } from '../util/sleep.js';

const SYSTEM = { name: 'system:apiserver', groups: ['system:masters'] };
const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
const ADDRESS_ANNOTATION = 'kts.io/apiserver-address';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const RENEW_MS = 10_000;
export const LEASE_SECONDS = 15;

interface Address {
  ip: string;
  port: number;
}

const ctx = () => ({ user: SYSTEM, dryRun: false, warnings: [] as string[] });
const microTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

/** The Lease name of the API server at `a` (stable across restarts). */
export function leaseName(a: Address): string {
  return `apiserver-${createHash('sha256').update(`${a.ip}:${a.port}`).digest('hex').slice(0, 16)}`;
}

/** Live API servers from their Leases (renewed within their duration), sorted. */
export function liveServers(leases: KObject[], nowMs: number): Address[] {
  const out: Address[] = [];
  for (const l of leases) {
    const spec = (l.spec ?? {}) as { renewTime?: string; leaseDurationSeconds?: number };
    const renewed = spec.renewTime ? Date.parse(spec.renewTime) : NaN;
    if (!Number.isFinite(renewed) || renewed + (spec.leaseDurationSeconds ?? LEASE_SECONDS) * 1000 < nowMs) continue;
    const m = /^(.+):(\d+)$/.exec(l.metadata.annotations?.[ADDRESS_ANNOTATION] ?? '');
    if (m) out.push({ ip: m[1]!, port: Number(m[2]) });
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip) || a.port - b.port);
}

/** The Endpoints subsets and the EndpointSlices (one per port) for a set of servers. */
export function desiredEndpoints(servers: Address[]): { subsets: unknown[]; slices: KObject[] } {
  const byPort = new Map<number, string[]>();
  for (const s of servers) byPort.set(s.port, [...(byPort.get(s.port) ?? []), s.ip]);
  const ports = [...byPort.keys()].sort((a, b) => (byPort.get(b)!.length - byPort.get(a)!.length) || a - b);
  const subsets = ports.map((port) => ({ addresses: byPort.get(port)!.map((ip) => ({ ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] }));
  const slices = ports.map((port, i): KObject => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: i === 0 ? 'kubernetes' : `kubernetes-${port}`, namespace: 'default', labels: { [SERVICE_NAME_LABEL]: 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: byPort.get(port)!.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  }));
  return { subsets, slices };
}

export interface ApiserverEndpoints {
  /** Renews this server's Lease and reconciles the endpoints once. */
  reconcile(): Promise<void>;
  /** Runs every 10 s until the signal aborts, then removes this server. */
  run(signal: AbortSignal): Promise<void>;
}

export function apiserverEndpoints(stores: Map<string, Store>, self: Address, log: Logger): ApiserverEndpoints {
  const leases = stores.get('coordination.k8s.io/leases')!;
  const endpoints = stores.get('/endpoints')!;
  const slices = stores.get('discovery.k8s.io/endpointslices')!;
  const name = leaseName(self);

  const renew = async () => {
    const now = microTime(Date.now());
    const cur = await leases.tryGet('kube-system', name);
    const spec = { holderIdentity: `${name}_${self.ip}:${self.port}`, leaseDurationSeconds: LEASE_SECONDS, renewTime: now, ...(cur ? {} : { acquireTime: now }) };
    if (!cur) {
      await leases.create('kube-system', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-system', labels: { [IDENTITY_LABEL]: 'kube-apiserver' }, annotations: { [ADDRESS_ANNOTATION]: `${self.ip}:${self.port}` } }, spec }, ctx());
    } else {
      await leases.update('kube-system', name, { ...cur, spec: { ...(cur.spec as object), ...spec } }, ctx());
    }
  };

  const write = async (servers: Address[]) => {
    const want = desiredEndpoints(servers);
    const ep = await endpoints.tryGet('default', 'kubernetes');
    const epObj: KObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets: want.subsets };
    if (!ep) await endpoints.create('default', epObj, ctx());
    else if (JSON.stringify(ep.subsets ?? []) !== JSON.stringify(want.subsets)) await endpoints.update('default', 'kubernetes', { ...ep, subsets: want.subsets }, ctx());
    const have = (await slices.list('default', {})).items.filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === 'kubernetes');
    for (const slice of want.slices) {
      const cur = have.find((s) => s.metadata.name === slice.metadata.name);
      if (!cur) await slices.create('default', slice, ctx());
      else if (JSON.stringify([cur.endpoints, cur.ports]) !== JSON.stringify([slice.endpoints, slice.ports])) await slices.update('default', slice.metadata.name!, { ...cur, endpoints: slice.endpoints, ports: slice.ports }, ctx());
    }
    for (const s of have) if (!want.slices.some((w) => w.metadata.name === s.metadata.name)) await slices.delete('default', s.metadata.name!, {}, ctx()).catch(ignoreNotFound);
  };

  const servers = async () => liveServers((await leases.list('kube-system', {})).items.filter((l) => l.metadata.labels?.[IDENTITY_LABEL] === 'kube-apiserver'), Date.now());

  const reconcile = async () => {
    await renew();
    await write(await servers());
  };

  return {
    reconcile,
    async run(signal) {
      while (!signal.aborted) {
        await sleep(RENEW_MS, signal);
        if (signal.aborted) break;
        try {
          await reconcile();
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 409)) log.warn(`kubernetes endpoints: ${(e as Error).message}`);
        }
      }
      // Leaving: out of the endpoints now rather than when the Lease runs out.
      try {
        await leases.delete('kube-system', name, {}, ctx()).catch(ignoreNotFound);
        await write((await servers()).filter((s) => !(s.ip === self.ip && s.port === self.port)));
      } catch (e) {
        log.debug(`kubernetes endpoints: removing this server: ${(e as Error).message}`);
      }
    },
  };
}

function ignoreNotFound(e: unknown): void {
  if (!(e instanceof StatusError && e.code === 404)) throw e;
}
