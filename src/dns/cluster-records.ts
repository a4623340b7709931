// The cluster's DNS data, kept from Service and EndpointSlice events: maps keyed by
// `<service>.<namespace>` so a lookup costs a couple of map reads, whatever the cluster's size.
// Objects come from informer caches and are only read here.
import type { KObject } from '../api/types.js';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
}

export interface DnsService extends KObject {
  spec?: { type?: string; clusterIP?: string; clusterIPs?: string[]; externalName?: string; ports?: ServicePort[] };
}

export interface DnsEndpointSlice extends KObject {
  addressType?: string;
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; hostname?: string }[] | null;
  ports?: { name?: string; protocol?: string; port?: number }[] | null;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** One ready endpoint of a headless Service, with the name it answers to under the Service. */
export interface DnsEndpoint {
  ip: string;
  /** The endpoint's hostname, or its address with dashes (CoreDNS's name for endpoints without one). */
  label: string;
}

export class ClusterRecords {
  private readonly services = new Map<string, DnsService>();
  /** `<service>.<namespace>` → slice key → slice. */
  private readonly slices = new Map<string, Map<string, DnsEndpointSlice>>();
  private readonly namespaces = new Map<string, number>();
  /** Reverse indexes for PTR: address → Service keys (ClusterIPs), address → slice keys (endpoints). */
  private readonly serviceIps = new Map<string, Set<string>>();
  private readonly endpointIps = new Map<string, Set<string>>();
  private readonly slicesByKey = new Map<string, DnsEndpointSlice>();

  setService(svc: DnsService): void {
    const key = serviceKey(svc.metadata.name!, svc.metadata.namespace!);
    const old = this.services.get(key);
    if (!old) this.namespaces.set(svc.metadata.namespace!, (this.namespaces.get(svc.metadata.namespace!) ?? 0) + 1);
    else unindex(this.serviceIps, clusterIps(old), key);
    this.services.set(key, svc);
    index(this.serviceIps, clusterIps(svc), key);
  }

  deleteService(svc: DnsService): void {
    const key = serviceKey(svc.metadata.name!, svc.metadata.namespace!);
    const old = this.services.get(key);
    if (!old) return;
    this.services.delete(key);
    unindex(this.serviceIps, clusterIps(old), key);
    const n = (this.namespaces.get(svc.metadata.namespace!) ?? 1) - 1;
    if (n > 0) this.namespaces.set(svc.metadata.namespace!, n);
    else this.namespaces.delete(svc.metadata.namespace!);
  }

  setSlice(slice: DnsEndpointSlice): void {
    this.deleteSlice(slice);
    const sliceKey = `${slice.metadata.namespace}/${slice.metadata.name}`;
    this.slicesByKey.set(sliceKey, slice);
    index(this.endpointIps, sliceIps(slice), sliceKey);
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) return;
    const key = serviceKey(svc, slice.metadata.namespace!);
    let m = this.slices.get(key);
    if (!m) this.slices.set(key, (m = new Map()));
    m.set(slice.metadata.name!, slice);
  }

  deleteSlice(slice: DnsEndpointSlice): void {
    const sliceKey = `${slice.metadata.namespace}/${slice.metadata.name}`;
    const old = this.slicesByKey.get(sliceKey);
    if (old) {
      this.slicesByKey.delete(sliceKey);
      unindex(this.endpointIps, sliceIps(old), sliceKey);
      slice = old;
    }
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) return;
    const key = serviceKey(svc, slice.metadata.namespace!);
    const m = this.slices.get(key);
    if (!m) return;
    m.delete(slice.metadata.name!);
    if (m.size === 0) this.slices.delete(key);
  }

  service(name: string, namespace: string): DnsService | undefined {
    return this.services.get(serviceKey(name, namespace));
  }

  hasNamespace(namespace: string): boolean {
    return this.namespaces.has(namespace);
  }

  /** Ready endpoints of a Service (each address once), in a stable order. */
  endpoints(name: string, namespace: string): DnsEndpoint[] {
    const m = this.slices.get(serviceKey(name, namespace));
    if (!m) return [];
    const seen = new Set<string>();
    const out: DnsEndpoint[] = [];
    for (const s of m.values()) {
      for (const ep of s.endpoints ?? []) {
        // An unset ready condition means ready (discovery.k8s.io/v1).
        if (ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses) {
          if (seen.has(ip)) continue;
          seen.add(ip);
          out.push({ ip, label: ep.hostname ?? ipLabel(ip) });
        }
      }
    }
    return out;
  }

  /** The named or unnamed ports the Service's endpoints serve (from its slices). */
  endpointPorts(name: string, namespace: string): ServicePort[] {
    const m = this.slices.get(serviceKey(name, namespace));
    const out = new Map<string, ServicePort>();
    for (const s of m?.values() ?? []) {
      for (const p of s.ports ?? []) if (p.port !== undefined) out.set(`${p.name ?? ''}/${p.protocol ?? 'TCP'}/${p.port}`, { name: p.name, protocol: p.protocol ?? 'TCP', port: p.port });
    }
    return [...out.values()];
  }

  /** Services whose ClusterIP is `ip`, as [name, namespace]. */
  servicesByIp(ip: string): [string, string][] {
    return [...(this.serviceIps.get(canonicalIp(ip)) ?? [])].map((k) => splitServiceKey(k));
  }

  /** Ready endpoints with address `ip`, with their Service, as [label, service, namespace]. */
  endpointsByIp(ip: string): [string, string, string][] {
    const want = canonicalIp(ip);
    const out: [string, string, string][] = [];
    for (const key of this.endpointIps.get(want) ?? []) {
      const s = this.slicesByKey.get(key)!;
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (!svc) continue;
      for (const ep of s.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        const hit = ep.addresses.find((a) => canonicalIp(a) === want);
        if (hit) out.push([ep.hostname ?? ipLabel(hit), svc, s.metadata.namespace!]);
      }
    }
    return out;
  }
}

function serviceKey(name: string, namespace: string): string {
  return `${name}.${namespace}`;
}

/** 10.42.0.5 → 10-42-0-5; fd00::1 → fd00--1 (CoreDNS's endpoint names). */
export function ipLabel(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

export function isHeadless(svc: DnsService): boolean {
  return svc.spec?.clusterIP === 'None';
}

function splitServiceKey(key: string): [string, string] {
  const i = key.indexOf('.');
  return [key.slice(0, i), key.slice(i + 1)];
}

function clusterIps(svc: DnsService): string[] {
  if (svc.spec?.type === 'ExternalName') return [];
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.filter((ip) => ip !== 'None');
}

function sliceIps(slice: DnsEndpointSlice): string[] {
  return (slice.endpoints ?? []).flatMap((e) => e.addresses);
}

function index(m: Map<string, Set<string>>, ips: string[], key: string): void {
  for (const ip of ips) {
    const c = canonicalIp(ip);
    let set = m.get(c);
    if (!set) m.set(c, (set = new Set()));
    set.add(key);
  }
}

function unindex(m: Map<string, Set<string>>, ips: string[], key: string): void {
  for (const ip of ips) {
    const c = canonicalIp(ip);
    const set = m.get(c);
    if (!set) continue;
    set.delete(key);
    if (set.size === 0) m.delete(c);
  }
}

/** One spelling per address (IPv6 compressed, lower case), so reverse names and API fields meet. */
export function canonicalIp(ip: string): string {
  return ip.includes(':') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}
