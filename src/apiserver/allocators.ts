// Cluster resources the API server hands out: Service ClusterIPs from --service-cidr and NodePorts
// from 30000-32767. State is rebuilt from stored Services at start and then follows every stored
// change of a Service (so API servers sharing a datastore see each other's allocations); every
// allocation is checked against it, and released when a Service is deleted (or its create fails
// or is a dry run).
import type { KObject } from '../api/types.js';
import { fieldErrors, invalid } from '../api/errors.js';
import type { FieldError } from '../api/errors.js';

export function parseCidr(cidr: string): { base: number; size: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 8 || bits > 30) throw new Error(`invalid IPv4 CIDR "${cidr}" (prefix must be /8 to /30)`);
  const ip = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), size, bits };
}

export function ipToString(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function ipToNumber(s: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
}

export class IpAllocator {
  private readonly used = new Set<number>();
  private readonly range: { base: number; size: number };
  constructor(readonly cidr: string) {
    this.range = parseCidr(cidr);
  }
  /** The n-th address of the range (1 = the kubernetes Service, 10 = cluster DNS). */
  nth(n: number): string {
    return ipToString(this.range.base + n);
  }
  contains(ip: string): boolean {
    const n = ipToNumber(ip);
    return n !== undefined && n > this.range.base && n < this.range.base + this.range.size - 1;
  }
  /** Allocates `ip` or, when absent, a free address; returns an error message on failure. */
  allocate(ip?: string): { ip?: string; error?: string } {
    if (ip) {
      const n = ipToNumber(ip);
      if (n === undefined || !this.contains(ip)) return { error: `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}` };
      if (this.used.has(n)) return { error: `failed to allocate IP ${ip}: provided IP is already allocated` };
      this.used.add(n);
      return { ip };
    }
    const usable = this.range.size - 2;
    if (this.used.size >= usable) return { error: `failed to allocate a serviceIP: range is full` };
    // Random start in the upper part of the range, leaving low addresses for static assignment (as upstream).
    const low = Math.min(16, Math.floor(usable / 2));
    const span = usable - low;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < usable; i++) {
      const off = i < span ? low + ((start + i) % span) : i - span;
      const n = this.range.base + 1 + off;
      if (!this.used.has(n)) {
        this.used.add(n);
        return { ip: ipToString(n) };
      }
    }
    return { error: 'failed to allocate a serviceIP: range is full' };
  }
  release(ip: string): void {
    const n = ipToNumber(ip);
    if (n !== undefined) this.used.delete(n);
  }
  mark(ip: string): void {
    const n = ipToNumber(ip);
    if (n !== undefined) this.used.add(n);
  }
  clear(): void {
    this.used.clear();
  }
}

export class PortAllocator {
  private readonly used = new Set<number>();
  constructor(
    readonly min = 30000,
    readonly max = 32767,
  ) {}
  allocate(port?: number): { port?: number; error?: string } {
    if (port !== undefined) {
      if (port < this.min || port > this.max) return { error: `provided port is not in the valid range. The range of valid ports is ${this.min}-${this.max}` };
      if (this.used.has(port)) return { error: 'provided port is already allocated' };
      this.used.add(port);
      return { port };
    }
    const span = this.max - this.min + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const p = this.min + ((start + i) % span);
      if (!this.used.has(p)) {
        this.used.add(p);
        return { port: p };
      }
    }
    return { error: 'range is full' };
  }
  release(port: number): void {
    this.used.delete(port);
  }
  mark(port: number): void {
    this.used.add(port);
  }
  clear(): void {
    this.used.clear();
  }
}

interface ServicePort {
  port?: number;
  nodePort?: number;
  name?: string;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  healthCheckNodePort?: number;
  externalTrafficPolicy?: string;
}

function spec(svc: KObject): ServiceSpec {
  if (!svc.spec || typeof svc.spec !== 'object') svc.spec = {};
  return svc.spec as ServiceSpec;
}

const usesNodePorts = (t: string | undefined) => t === 'NodePort' || t === 'LoadBalancer';

/** The ClusterIPs and node ports a stored Service holds. */
function holdings(svc: KObject): { ips: Set<string>; ports: Set<number> } {
  const s = (svc.spec ?? {}) as ServiceSpec;
  const ips = new Set((s.clusterIPs ?? (s.clusterIP ? [s.clusterIP] : [])).filter((ip) => ip && ip !== 'None'));
  const ports = new Set((s.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
  if (s.healthCheckNodePort) ports.add(s.healthCheckNodePort);
  return { ips, ports };
}

/** Allocation rules for Services, used as the services store's hooks. */
export class ServiceAllocations {
  constructor(
    readonly ips: IpAllocator,
    readonly ports: PortAllocator,
  ) {}

  /** Marks what a stored Service holds (at start-up). */
  adopt(svc: KObject): void {
    const s = spec(svc);
    for (const ip of s.clusterIPs ?? (s.clusterIP ? [s.clusterIP] : [])) if (ip !== 'None') this.ips.mark(ip);
    for (const p of s.ports ?? []) if (p.nodePort) this.ports.mark(p.nodePort);
    if (s.healthCheckNodePort) this.ports.mark(s.healthCheckNodePort);
  }

  /** Allocates for a new Service; on failure nothing stays allocated. */
  allocateNew(svc: KObject): void {
    const s = spec(svc);
    const errs: FieldError[] = [];
    const taken: { ip?: string; ports: number[] } = { ports: [] };
    if (s.type !== 'ExternalName') {
      const requested = s.clusterIPs?.[0] ?? s.clusterIP;
      if (requested === 'None') {
        s.clusterIP = 'None';
        s.clusterIPs = ['None'];
      } else {
        const r = this.ips.allocate(requested || undefined);
        if (r.error) errs.push(fieldErrors.invalid('spec.clusterIPs', [requested ?? ''], r.error));
        else {
          taken.ip = r.ip;
          s.clusterIP = r.ip;
          s.clusterIPs = [r.ip!];
        }
      }
      s.ipFamilies ??= ['IPv4'];
      s.ipFamilyPolicy ??= 'SingleStack';
    }
    if (usesNodePorts(s.type)) this.allocatePorts(s, errs, taken.ports, new Set());
    if (errs.length) {
      if (taken.ip) this.ips.release(taken.ip);
      for (const p of taken.ports) this.ports.release(p);
      throw invalid('', 'Service', svc.metadata.name ?? '', errs);
    }
  }

  private allocatePorts(s: ServiceSpec, errs: FieldError[], taken: number[], alreadyOwned: Set<number>): void {
    // Requested ports first, so a random pick cannot take a port another entry asks for.
    const ports = (s.ports ?? []).map((p, i) => ({ p, i }));
    const order = [...ports.filter((x) => x.p.nodePort), ...ports.filter((x) => !x.p.nodePort)];
    for (const { p, i } of order) {
      if (p.nodePort && alreadyOwned.has(p.nodePort)) continue;
      const r = this.ports.allocate(p.nodePort || undefined);
      if (r.error) errs.push(fieldErrors.invalid(`spec.ports[${i}].nodePort`, p.nodePort, r.error));
      else {
        p.nodePort = r.port;
        taken.push(r.port!);
      }
    }
  }

  /** Adjusts allocations for an update (type changes, new ports). */
  allocateUpdate(svc: KObject, old: KObject): void {
    const s = spec(svc);
    const o = spec(old);
    // ClusterIP is immutable (validation reports changes); carry it over when the client omitted it.
    if (s.type !== 'ExternalName' && o.type !== 'ExternalName') {
      if (!s.clusterIP && o.clusterIP) s.clusterIP = o.clusterIP;
      if (!s.clusterIPs?.length && o.clusterIPs) s.clusterIPs = o.clusterIPs;
      s.ipFamilies ??= o.ipFamilies;
      s.ipFamilyPolicy ??= o.ipFamilyPolicy;
    }
    const errs: FieldError[] = [];
    const taken: number[] = [];
    const oldPorts = new Set((o.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
    if (s.type !== 'ExternalName' && o.type === 'ExternalName') {
      const r = this.ips.allocate(s.clusterIP || undefined);
      if (r.error) errs.push(fieldErrors.invalid('spec.clusterIPs', [s.clusterIP ?? ''], r.error));
      else {
        s.clusterIP = r.ip;
        s.clusterIPs = [r.ip!];
        s.ipFamilies ??= ['IPv4'];
        s.ipFamilyPolicy ??= 'SingleStack';
      }
    }
    if (usesNodePorts(s.type)) {
      // Keep node ports of ports that existed before (matched by port number) when the client omitted them.
      for (const p of s.ports ?? []) {
        if (!p.nodePort) {
          const prev = (o.ports ?? []).find((q) => q.port === p.port && q.nodePort);
          if (prev) p.nodePort = prev.nodePort;
        }
      }
      this.allocatePorts(s, errs, taken, oldPorts);
    } else {
      for (const p of s.ports ?? []) delete p.nodePort;
    }
    if (errs.length) {
      for (const p of taken) this.ports.release(p);
      throw invalid('', 'Service', svc.metadata.name ?? '', errs);
    }
    const nowPorts = new Set((s.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
    for (const p of oldPorts) if (!nowPorts.has(p)) this.ports.release(p);
    if (s.type === 'ExternalName' && o.type !== 'ExternalName') {
      for (const ip of o.clusterIPs ?? []) if (ip !== 'None') this.ips.release(ip);
      delete s.clusterIP;
      delete s.clusterIPs;
    }
  }

  /**
   * Follows a stored change of a Service, whichever server made it (from the watch cache): what
   * the old version held and the new one does not is freed, what the new one holds is marked.
   * With several API servers on one datastore this is how each learns the others' allocations.
   */
  follow(prev: KObject | undefined, cur: KObject | undefined): void {
    if (prev) {
      const held = cur ? holdings(cur) : { ips: new Set<string>(), ports: new Set<number>() };
      const was = holdings(prev);
      for (const ip of was.ips) if (!held.ips.has(ip)) this.ips.release(ip);
      for (const p of was.ports) if (!held.ports.has(p)) this.ports.release(p);
    }
    if (cur) this.adopt(cur);
  }

  /** Forgets every allocation (before adopting the stored Services again). */
  clear(): void {
    this.ips.clear();
    this.ports.clear();
  }

  release(svc: KObject): void {
    const s = spec(svc);
    for (const ip of s.clusterIPs ?? (s.clusterIP ? [s.clusterIP] : [])) if (ip && ip !== 'None') this.ips.release(ip);
    for (const p of s.ports ?? []) if (p.nodePort) this.ports.release(p.nodePort);
    if (s.healthCheckNodePort) this.ports.release(s.healthCheckNodePort);
  }
}
