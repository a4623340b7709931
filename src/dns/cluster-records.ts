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

  setService(svc: DnsService): void {
    const key = serviceKey(svc.metadata.name!, svc.metadata.namespace!);
    if (!this.services.has(key)) this.namespaces.set(svc.metadata.namespace!, (this.namespaces.get(svc.metadata.namespace!) ?? 0) + 1);
    this.services.set(key, svc);
  }

  deleteService(svc: DnsService): void {
    const key = serviceKey(svc.metadata.name!, svc.metadata.namespace!);
    if (!this.services.delete(key)) return;
    const n = (this.namespaces.get(svc.metadata.namespace!) ?? 1) - 1;
    if (n > 0) this.namespaces.set(svc.metadata.namespace!, n);
    else this.namespaces.delete(svc.metadata.namespace!);
  }

  setSlice(slice: DnsEndpointSlice): void {
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) return;
    const key = serviceKey(svc, slice.metadata.namespace!);
    let m = this.slices.get(key);
    if (!m) this.slices.set(key, (m = new Map()));
    m.set(slice.metadata.name!, slice);
  }

  deleteSlice(slice: DnsEndpointSlice): void {
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
