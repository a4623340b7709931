// What kube-proxy needs to know, reduced from Services and EndpointSlices: one ServicePort per
// (service, port) with its cluster IP, node port, external addresses, policies and endpoints.
// Pure: the proxier feeds it informer caches, the tests plain objects.
import { isIPv4 } from 'node:net';
import type { KObject } from '../api/types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const DEFAULT_AFFINITY_SECONDS = 10800;

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** Runs on this node (for the Local traffic policies). */
  local: boolean;
}

export interface ServicePort {
  /** `namespace/name:port` (port name, or the number when unnamed): what rule comments say. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  clusterIp: string;
  port: number;
  nodePort?: number;
  /** status.loadBalancer.ingress IPs and spec.externalIPs, reached on `port`. */
  externalIps: string[];
  /** The LoadBalancer ingress IPs among externalIps. */
  lbIps: string[];
  /** spec.loadBalancerSourceRanges (IPv4): who may use lbIps; empty = everyone. */
  sourceRanges: string[];
  externalLocal: boolean;
  internalLocal: boolean;
  /** ClientIP affinity timeout in seconds; 0 = no affinity. */
  affinitySeconds: number;
  endpoints: ProxyEndpoint[];
}

interface ServiceSpecLike {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  loadBalancerSourceRanges?: string[];
  ports?: { name?: string; port: number; nodePort?: number; protocol?: string }[];
  externalTrafficPolicy?: string;
  internalTrafficPolicy?: string;
  sessionAffinity?: string;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
}
interface SliceLike extends KObject {
  addressType?: string;
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null }; nodeName?: string }[] | null;
  ports?: { name?: string | null; port?: number | null; protocol?: string | null }[] | null;
}

/** IPv4 cluster IP of a Service, or undefined for headless, ExternalName and IPv6-only ones. */
export function clusterIpv4(spec: ServiceSpecLike): string | undefined {
  if (spec.type === 'ExternalName') return undefined;
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.find((ip) => ip !== 'None' && isIPv4(ip));
}

/**
 * Endpoints of one service port from the Service's slices. Ready endpoints; when there are
 * none, serving terminating ones (as upstream, so connections drain during a rollout).
 */
export function endpointsFor(slices: SliceLike[], portName: string, protocol: Protocol, nodeName: string): ProxyEndpoint[] {
  const ready = new Map<string, ProxyEndpoint>();
  const terminating = new Map<string, ProxyEndpoint>();
  for (const s of slices) {
    if (s.addressType !== 'IPv4') continue;
    const p = (s.ports ?? []).find((x) => (x.name ?? '') === portName && (x.protocol ?? 'TCP') === protocol);
    if (!p || p.port == null) continue;
    for (const e of s.endpoints ?? []) {
      const c = e.conditions ?? {};
      const isReady = c.ready !== false; // nil means ready
      const servingTerminating = c.serving === true && c.terminating === true;
      for (const ip of (e.addresses ?? []).slice(0, 1)) {
        const ep = { ip, port: p.port, local: e.nodeName === nodeName };
        if (isReady) ready.set(`${ip}:${p.port}`, ep);
        else if (servingTerminating) terminating.set(`${ip}:${p.port}`, ep);
      }
    }
  }
  const chosen = ready.size ? ready : terminating;
  return [...chosen.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/** Every proxied port of every Service, sorted by id. `slicesOf` gives a Service's slices. */
export function buildServicePorts(services: KObject[], slicesOf: (namespace: string, name: string) => SliceLike[], nodeName: string): ServicePort[] {
  const out: ServicePort[] = [];
  for (const svc of services) {
    const spec = (svc.spec ?? {}) as ServiceSpecLike;
    const clusterIp = clusterIpv4(spec);
    if (!clusterIp) continue;
    const ns = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name ?? '';
    const slices = slicesOf(ns, name);
    const lbIps = spec.type === 'LoadBalancer' ? (((svc.status as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '')) : [];
    const externalIps = [...new Set([...lbIps, ...(spec.externalIPs ?? [])].filter((ip) => isIPv4(ip)))].sort();
    const affinity = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : 0;
    const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || externalIps.length > 0;
    for (const p of spec.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP') as Protocol;
      if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) continue;
      const portName = p.name ?? '';
      out.push({
        id: `${ns}/${name}:${portName || p.port}`,
        namespace: ns,
        name,
        portName,
        protocol,
        clusterIp,
        port: p.port,
        nodePort: (spec.type === 'NodePort' || spec.type === 'LoadBalancer') && p.nodePort ? p.nodePort : undefined,
        externalIps,
        lbIps: lbIps.filter((ip) => isIPv4(ip)),
        sourceRanges: spec.type === 'LoadBalancer' ? (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter((r) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(r)) : [],
        externalLocal: external && spec.externalTrafficPolicy === 'Local',
        internalLocal: spec.internalTrafficPolicy === 'Local',
        affinitySeconds: affinity,
        endpoints: endpointsFor(slices, portName, protocol, nodeName),
      });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.protocol < b.protocol ? -1 : 1));
}
