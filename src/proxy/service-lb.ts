// ServiceLB, as k3s's: LoadBalancer Services get the addresses of the cluster's nodes in
// status.loadBalancer.ingress, and kube-proxy on each node forwards the service port on those
// addresses (the EXTERNAL chain). Nodes: Ready ones, only those labelled
// svccontroller.k3s.cattle.io/enablelb=true if any is. A Service asking for a port an older
// LoadBalancer Service already holds stays pending (k3s's svclb pods could not bind it either).
// Services with a loadBalancerClass belong to another controller.
import type { KObject } from '../api/types.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { Informer } from '../client/informer.js';

export const ENABLE_LB_LABEL = 'svccontroller.k3s.cattle.io/enablelb';

interface NodeLike extends KObject {
  status?: { addresses?: { type: string; address: string }[]; conditions?: { type: string; status: string }[] };
}
interface ServiceLike extends KObject {
  spec?: { type?: string; loadBalancerClass?: string; ports?: { port: number; protocol?: string }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** Addresses the LoadBalancer Services get: ExternalIP, else InternalIP, of every eligible node. */
export function lbAddresses(nodes: NodeLike[]): string[] {
  const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const labelled = ready.filter((n) => n.metadata.labels?.[ENABLE_LB_LABEL] === 'true');
  const pool = labelled.length ? labelled : ready.filter((n) => n.metadata.labels?.[ENABLE_LB_LABEL] !== 'false');
  const ips = pool.map((n) => {
    const a = n.status?.addresses ?? [];
    return (a.find((x) => x.type === 'ExternalIP') ?? a.find((x) => x.type === 'InternalIP'))?.address;
  });
  return [...new Set(ips.filter((ip): ip is string => !!ip))].sort();
}

/** The part of a Node lbAddresses reads. */
export function lbView(n: KObject): NodeLike {
  const status = (n as NodeLike).status;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  return {
    apiVersion: n.apiVersion,
    kind: n.kind,
    metadata: { name: n.metadata.name, resourceVersion: n.metadata.resourceVersion, labels: n.metadata.labels },
    status: { addresses: status?.addresses, conditions: ready ? [{ type: 'Ready', status: ready.status }] : [] },
  };
}

/** Whether two lbViews of a node differ in what lbAddresses reads. */
export function lbChanged(a: NodeLike, b: NodeLike): boolean {
  const ready = (n: NodeLike) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return ready(a) !== ready(b) || JSON.stringify(a.status?.addresses ?? []) !== JSON.stringify(b.status?.addresses ?? []) || a.metadata.labels?.[ENABLE_LB_LABEL] !== b.metadata.labels?.[ENABLE_LB_LABEL];
}

/**
 * namespace/name → desired ingress IPs (empty = pending), for every Service whose status we own.
 * `addresses` is called only when some Service is a LoadBalancer (with thousands of nodes it is
 * the costly part, and most clusters have no LoadBalancer Service most of the time).
 */
export function desiredIngress(services: ServiceLike[], addresses: () => string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const lbs = services
    .filter((s) => s.spec?.type === 'LoadBalancer' && !s.spec.loadBalancerClass)
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || key(a).localeCompare(key(b)));
  const held = new Set<string>();
  const ips = lbs.length ? addresses() : [];
  for (const s of lbs) {
    const ports = (s.spec?.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`);
    const free = ports.every((p) => !held.has(p));
    if (free) for (const p of ports) held.add(p);
    out.set(key(s), free ? ips : []);
  }
  // A Service that stopped being a LoadBalancer loses the addresses we gave it.
  for (const s of services) if (!out.has(key(s)) && s.spec?.type !== 'LoadBalancer' && s.status?.loadBalancer?.ingress?.length) out.set(key(s), []);
  return out;
}

const key = (s: KObject) => `${s.metadata.namespace}/${s.metadata.name}`;

export async function runServiceLb(client: RestClient, log: Logger, signal: AbortSignal): Promise<void> {
  const services = new Informer<ServiceLike>(client, { group: '', version: 'v1', resource: 'services', onError: (m) => log.debug(`services informer: ${m}`) });
  // Of a Node only its labels, addresses and Ready condition matter here: with thousands of nodes
  // the rest would be most of this informer's memory.
  const nodes = new Informer<NodeLike>(client, { group: '', version: 'v1', resource: 'nodes', transform: lbView, onError: (m) => log.debug(`nodes informer: ${m}`) });
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const reconcile = async () => {
    running = true;
    again = false;
    let failed = false;
    const want = desiredIngress(services.list(), () => lbAddresses(nodes.list()));
    for (const [k, ips] of want) {
      const [namespace, name] = k.split('/') as [string, string];
      const svc = services.get(namespace, name);
      const have = (svc?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
      if (!svc || have.join(',') === ips.join(',')) continue;
      try {
        await client.patch(`/api/v1/namespaces/${namespace}/services/${name}/status`, { status: { loadBalancer: ips.length ? { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' })) } : { ingress: null } } }, 'merge');
        log.info(`service ${k}: load balancer ${ips.length ? `ingress ${ips.join(', ')}` : 'pending'}`);
      } catch (e) {
        failed = true;
        log.warn(`service ${k}: updating the load balancer status: ${(e as Error).message}`);
      }
    }
    running = false;
    if (failed || again) schedule(failed ? 1000 : 100);
  };
  const schedule = (ms = 100) => {
    if (signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    if (!timer) timer = setTimeout(() => ((timer = undefined), void reconcile()), ms);
  };
  const h = { onAdd: () => schedule(), onUpdate: () => schedule(), onDelete: () => schedule() };
  services.addHandler(h);
  // Node heartbeats and status updates that change none of what lbAddresses reads are ignored.
  nodes.addHandler({ ...h, onUpdate: (old, cur) => lbChanged(old, cur) && schedule() });
  signal.addEventListener('abort', () => timer && clearTimeout(timer), { once: true });
  await Promise.allSettled([services.run(signal), nodes.run(signal)]);
  if (timer) clearTimeout(timer);
}
