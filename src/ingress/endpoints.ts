// Backend → endpoints: the Service port (by number or name) is resolved through the Service to
// its EndpointSlices (label kubernetes.io/service-name), whose ports carry the Service port's
// name and the resolved target port; only ready endpoints are used. A round-robin picker spreads
// requests over them.
import type { KObject } from '../api/types.js';
import type { ServiceBackend } from './match.js';

export type Service = KObject & { spec?: { type?: string; ports?: { name?: string; port: number; protocol?: string }[] } };
export type EndpointSlice = KObject & {
  addressType?: string;
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
};

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface Target {
  host: string;
  port: number;
}

export type Resolution = { ok: true; targets: Target[] } | { ok: false; status: 503 | 500; reason: string };

/** The ready endpoints of a Service backend; `slices` are the Service's EndpointSlices. */
export function resolveBackend(backend: ServiceBackend, service: Service | undefined, slices: readonly EndpointSlice[]): Resolution {
  if (!service) return { ok: false, status: 503, reason: `service "${backend.name}" not found` };
  if (service.spec?.type === 'ExternalName') return { ok: false, status: 500, reason: `service "${backend.name}" is ExternalName: not supported as an ingress backend` };
  const sp = (service.spec?.ports ?? []).find((p) => (backend.port.name ? p.name === backend.port.name : p.port === backend.port.number) && (p.protocol ?? 'TCP') === 'TCP');
  const wanted = backend.port.name ?? String(backend.port.number);
  if (!sp) return { ok: false, status: 503, reason: `service "${backend.name}" has no TCP port ${wanted}` };
  const targets: Target[] = [];
  const seen = new Set<string>();
  for (const s of slices) {
    if (s.addressType && s.addressType !== 'IPv4' && s.addressType !== 'IPv6') continue;
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === 'TCP')?.port;
    if (!port) continue;
    for (const e of s.endpoints ?? []) {
      // Upstream: a nil ready condition means ready.
      if (e.conditions?.ready === false) continue;
      const host = e.addresses[0];
      if (!host || seen.has(`${host}:${port}`)) continue;
      seen.add(`${host}:${port}`);
      targets.push({ host, port });
    }
  }
  if (!targets.length) return { ok: false, status: 503, reason: `service "${backend.name}" port ${wanted} has no ready endpoints` };
  targets.sort((a, b) => (a.host === b.host ? a.port - b.port : a.host < b.host ? -1 : 1));
  return { ok: true, targets };
}

/** Round robin per backend key (namespace/service:port). */
export class RoundRobin {
  private readonly next = new Map<string, number>();

  pick(key: string, targets: readonly Target[]): Target {
    return this.order(key, targets)[0]!;
  }

  /** All targets, starting at this turn's pick (the rest are the fallbacks, in order). */
  order(key: string, targets: readonly Target[]): Target[] {
    const i = (this.next.get(key) ?? 0) % targets.length;
    this.next.set(key, i + 1);
    return [...targets.slice(i), ...targets.slice(0, i)];
  }
}
