// The `kube-dns` Service in kube-system (the address pods' resolv.conf names) and the endpoints
// behind it. The Service has no selector, so the endpoints controllers leave it alone; we own its
// Endpoints and an EndpointSlice (managed-by kts-cluster-dns) pointing at where the DNS server
// listens, so kube-proxy sends <clusterIP>:53 there. Level-triggered: safe to run again at any time.
import { isIPv6 } from 'node:net';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { RestClient } from '../client/rest-client.js';
import { resourcePath } from '../client/rest-client.js';

export const NAMESPACE = 'kube-system';
export const SERVICE_NAME = 'kube-dns';
export const SLICE_NAME = 'kube-dns-kts';
export const MANAGED_BY = 'kts-cluster-dns';

export interface KubeDnsTarget {
  /** The Service's ClusterIP (10th address of the service CIDR). */
  clusterIp: string;
  /** Where the DNS server listens. */
  address: string;
  port: number;
}

type Obj = KObject & Record<string, unknown>;

export function desiredService(t: KubeDnsTarget): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: SERVICE_NAME, namespace: NAMESPACE, labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'kts-dns' } },
    spec: {
      clusterIP: t.clusterIp,
      clusterIPs: [t.clusterIp],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: t.port },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: t.port },
      ],
    },
  };
}

function ports(t: KubeDnsTarget) {
  return [
    { name: 'dns', port: t.port, protocol: 'UDP' },
    { name: 'dns-tcp', port: t.port, protocol: 'TCP' },
  ];
}

export function desiredEndpoints(t: KubeDnsTarget): Obj {
  // skip-mirror: we write the EndpointSlice ourselves; an EndpointSlice mirroring controller must not copy this.
  const labels = { 'k8s-app': 'kube-dns', 'endpointslice.kubernetes.io/skip-mirror': 'true' };
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: SERVICE_NAME, namespace: NAMESPACE, labels }, subsets: [{ addresses: [{ ip: t.address }], ports: ports(t) }] };
}

export function desiredSlice(t: KubeDnsTarget, serviceUid?: string): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: SLICE_NAME,
      namespace: NAMESPACE,
      labels: { 'kubernetes.io/service-name': SERVICE_NAME, 'endpointslice.kubernetes.io/managed-by': MANAGED_BY, 'k8s-app': 'kube-dns' },
      ownerReferences: serviceUid ? [{ apiVersion: 'v1', kind: 'Service', name: SERVICE_NAME, uid: serviceUid, controller: true, blockOwnerDeletion: true }] : undefined,
    },
    addressType: isIPv6(t.address) ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [t.address], conditions: { ready: true, serving: true, terminating: false } }],
    ports: ports(t),
  };
}

/** Creates or corrects the Service, its Endpoints and EndpointSlice. Returns what it changed. */
export async function ensureKubeDns(client: RestClient, t: KubeDnsTarget): Promise<string[]> {
  const changed: string[] = [];
  const svcPath = resourcePath('', 'v1', 'services', NAMESPACE);
  let svc = await getOrUndefined<Obj & { spec?: { selector?: unknown; ports?: { targetPort?: unknown }[] } }>(client, `${svcPath}/${SERVICE_NAME}`);
  if (!svc) {
    svc = await client.create(svcPath, desiredService(t));
    changed.push('service');
  } else if (svc.spec?.selector) {
    // Someone deployed their own cluster DNS behind this Service: theirs, not ours.
    throw new Error(`service ${NAMESPACE}/${SERVICE_NAME} has a selector (another cluster DNS?); not publishing endpoints`);
  } else if (JSON.stringify(svc.spec?.ports) !== JSON.stringify((desiredService(t).spec as { ports: unknown }).ports)) {
    svc = await client.patch(`${svcPath}/${SERVICE_NAME}`, { spec: { ports: (desiredService(t).spec as { ports: unknown }).ports } });
    changed.push('service');
  }
  if (await upsert(client, resourcePath('', 'v1', 'endpoints', NAMESPACE), desiredEndpoints(t), ['subsets'])) changed.push('endpoints');
  if (await upsert(client, resourcePath('discovery.k8s.io', 'v1', 'endpointslices', NAMESPACE), desiredSlice(t, svc!.metadata.uid), ['endpoints', 'ports', 'addressType'])) changed.push('endpointslice');
  return changed;
}

async function getOrUndefined<T>(client: RestClient, path: string): Promise<T | undefined> {
  try {
    return await client.get<T>(path);
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw e;
  }
}

/** Creates `want`, or replaces the fields `compare` of the existing object when they differ. */
async function upsert(client: RestClient, collection: string, want: Obj, compare: string[]): Promise<boolean> {
  const path = `${collection}/${want.metadata.name}`;
  const have = await getOrUndefined<Obj>(client, path);
  if (!have) {
    await client.create(collection, want);
    return true;
  }
  const labelsOk = Object.entries(want.metadata.labels ?? {}).every(([k, v]) => have.metadata.labels?.[k] === v);
  if (labelsOk && compare.every((f) => JSON.stringify(stripDefaults(have[f])) === JSON.stringify(stripDefaults(want[f])))) return false;
  const next: Obj = { ...have, metadata: { ...have.metadata, labels: { ...have.metadata.labels, ...want.metadata.labels } } };
  for (const f of compare) next[f] = want[f];
  await client.update(path, next);
  return true;
}

/** Drops fields the API server may add (appProtocol nulls, empty conditions) before comparing. */
function stripDefaults(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? null, (_k, x: unknown) => (x === null ? undefined : x)));
}
