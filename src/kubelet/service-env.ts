// The environment variables a pod gets for the Services of its namespace (enableServiceLinks),
// as upstream's kubelet writes them: `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORT NAME>]`
// and the Docker-link style `<NAME>_PORT…` variables. Headless and IP-less Services are skipped.
import type { KObject } from '../api/types.js';
import type { KeyValue } from './cri/types.js';

interface ServicePort { name?: string; port: number; protocol?: string }

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

export function serviceEnv(services: KObject[]): KeyValue[] {
  const out: KeyValue[] = [];
  const seen = new Set<string>();
  for (const svc of services) {
    const spec = (svc.spec ?? {}) as { clusterIP?: string; ports?: ServicePort[] };
    const ip = spec.clusterIP;
    if (!ip || ip === 'None' || seen.has(svc.metadata.name!)) continue;
    seen.add(svc.metadata.name!);
    const n = envName(svc.metadata.name!);
    const ports = spec.ports ?? [];
    if (!ports.length) continue;
    out.push({ key: `${n}_SERVICE_HOST`, value: ip }, { key: `${n}_SERVICE_PORT`, value: String(ports[0]!.port) });
    for (const p of ports) if (p.name) out.push({ key: `${n}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
    const first = ports[0]!;
    const url = (p: ServicePort) => `${(p.protocol ?? 'TCP').toLowerCase()}://${ip}:${p.port}`;
    out.push({ key: `${n}_PORT`, value: url(first) });
    for (const p of ports) {
      const proto = (p.protocol ?? 'TCP').toUpperCase();
      const base = `${n}_PORT_${p.port}_${proto}`;
      out.push({ key: base, value: url(p) }, { key: `${base}_PROTO`, value: proto.toLowerCase() }, { key: `${base}_PORT`, value: String(p.port) }, { key: `${base}_ADDR`, value: ip });
    }
  }
  return out;
}
