// kube-proxy (iptables mode) for one node: Services, EndpointSlices and the node's own Node
// through informers; every change schedules a sync, and events within `minSyncMs` share one
// (coalesced); a failed sync is retried with back-off, and a periodic one repairs rules
// removed behind our back. Each sync rewrites only this node's chains in one iptables-restore.
// On abort the rules stay (as upstream: traffic keeps flowing while the agent restarts);
// `kts cleanup` removes them.
import { readFile, writeFile } from 'node:fs/promises';
import type { KObject } from '../api/types.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { Informer } from '../client/informer.js';
import { SERVICE_NAME_LABEL, buildServicePorts } from './model.js';
import { renderRules } from './rules.js';
import type { DesiredRules } from './rules.js';
import { applyRules } from './iptables.js';
import { staleUdpFilters, runConntrack } from './conntrack.js';
import type { ConntrackRunner } from './conntrack.js';
import type { ServicePort } from './model.js';

export interface ProxierOptions {
  client: RestClient;
  nodeName: string;
  /** Chain prefix of this node (proxyChainPrefix(dataDir)). */
  prefix: string;
  /** The node's CNI bridge. */
  bridge: string;
  log: Logger;
  minSyncMs?: number;
  resyncMs?: number;
  /** Writes the rules (default: iptables); returns the number of rules written. */
  apply?: (rules: DesiredRules, prefix: string) => Promise<number>;
  /** Deletes UDP conntrack entries (default: the conntrack tool). */
  conntrack?: ConntrackRunner;
}

export interface Proxier {
  /** Settles once the first sync has been applied (or the signal aborted). */
  firstSync: Promise<void>;
  done: Promise<void>;
}

export function runProxier(o: ProxierOptions, signal: AbortSignal): Proxier {
  const onError = (what: string) => (m: string) => o.log.debug(`${what} informer: ${m}`);
  const services = new Informer<KObject>(o.client, { group: '', version: 'v1', resource: 'services', onError: onError('services') });
  const slices = new Informer<KObject>(o.client, { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', labelSelector: SERVICE_NAME_LABEL, onError: onError('endpointslices') });
  const nodes = new Informer<KObject>(o.client, { group: '', version: 'v1', resource: 'nodes', fieldSelector: `metadata.name=${o.nodeName}`, onError: onError('node') });
  const podCidrOf = (n: KObject) => (n.spec as { podCIDR?: string } | undefined)?.podCIDR;
  const minSyncMs = o.minSyncMs ?? 100;
  const resyncMs = o.resyncMs ?? 60_000;

  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let pending = false;
  let failures = 0;
  let ready = false;
  let firstDone = false;
  // The service ports of the last applied sync: UDP endpoint changes are diffed against them.
  let applied: ServicePort[] = [];
  let conntrackMissing = false;
  let markSynced!: () => void;
  const firstSync = new Promise<void>((r) => (markSynced = r));
  signal.addEventListener('abort', () => markSynced(), { once: true });

  const schedule = (delayMs = minSyncMs) => {
    if (signal.aborted || !ready) return;
    if (running) {
      pending = true;
      return;
    }
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void sync();
    }, delayMs);
  };

  const sync = async () => {
    running = true;
    pending = false;
    const t0 = Date.now();
    try {
      const node = nodes.get('', o.nodeName);
      const podCidr = node ? podCidrOf(node) : undefined;
      const byService = new Map<string, KObject[]>();
      for (const s of slices.list()) {
        const key = `${s.metadata.namespace}/${s.metadata.labels?.[SERVICE_NAME_LABEL]}`;
        if (!byService.has(key)) byService.set(key, []);
        byService.get(key)!.push(s);
      }
      const ports = buildServicePorts(services.list(), (ns, name) => byService.get(`${ns}/${name}`) ?? [], o.nodeName);
      const rules = await (o.apply ?? applyRules)(renderRules({ prefix: o.prefix, bridge: o.bridge, podCidr, ports }), o.prefix);
      await enableRouteLocalnet(o.bridge);
      const stale = firstDone ? staleUdpFilters(applied, ports) : [];
      applied = ports;
      for (const f of stale) {
        if (conntrackMissing) break;
        try {
          await (o.conntrack ?? runConntrack)(f.args);
          o.log.debug(`conntrack: deleted UDP flows (${f.why})`);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
            conntrackMissing = true;
            o.log.warn('conntrack is not installed (Debian package conntrack): stale UDP flows keep their old endpoint until they time out');
          } else o.log.warn(`${(e as Error).message} (${f.why})`);
        }
      }
      if (failures || !firstDone) o.log.info(`synced ${ports.length} service port(s), ${rules} rule(s) in ${Date.now() - t0} ms`);
      else o.log.debug(`synced ${ports.length} service port(s), ${rules} rule(s) in ${Date.now() - t0} ms`);
      failures = 0;
      firstDone = true;
      markSynced();
    } catch (e) {
      failures++;
      o.log.error(`syncing iptables rules (attempt ${failures}): ${(e as Error).message}`);
    } finally {
      running = false;
    }
    // A write that lost a race with another writer (CNI plugins, other nodes) is retried soon.
    if (failures) schedule(Math.min(5000, 200 * 2 ** Math.min(failures - 1, 5)));
    else if (pending) schedule();
  };
  const handler = { onAdd: () => schedule(), onUpdate: () => schedule(), onDelete: () => schedule() };
  services.addHandler(handler);
  slices.addHandler(handler);
  // Of the Node only the pod CIDR matters (not the status heartbeats).
  nodes.addHandler({ onAdd: () => schedule(), onUpdate: (old, n) => podCidrOf(old) !== podCidrOf(n) && schedule(), onDelete: () => schedule() });

  const done = (async () => {
    const runs = [services.run(signal), slices.run(signal), nodes.run(signal)];
    const periodic = setInterval(() => schedule(), resyncMs);
    // The bridge comes with the first pod, maybe long after the last sync: watch for it.
    const localnet = setInterval(() => void enableRouteLocalnet(o.bridge), 2000);
    signal.addEventListener('abort', () => {
      clearInterval(periodic);
      clearInterval(localnet);
      if (timer) clearTimeout(timer);
    }, { once: true });
    // The first sync waits for full caches: a partial view would delete rules that still serve.
    await Promise.race([Promise.all([services.waitForSync(), slices.waitForSync(), nodes.waitForSync()]), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    if (!signal.aborted) {
      ready = true;
      schedule(0);
    }
    await Promise.allSettled(runs);
    clearInterval(periodic);
    clearInterval(localnet);
    if (timer) clearTimeout(timer);
    while (running) await new Promise((r) => setTimeout(r, 20));
  })();
  return { firstSync, done };
}

/**
 * Node ports on 127.0.0.1 are DNATed to pods on the bridge with a loopback source: the kernel
 * drops such packets unless route_localnet is on for the outgoing interface (upstream turns it on
 * for all; only our bridge here). Also lets pods reach a Service whose endpoint is on 127.0.0.1.
 */
async function enableRouteLocalnet(bridge: string): Promise<void> {
  const path = `/proc/sys/net/ipv4/conf/${bridge}/route_localnet`;
  const now = await readFile(path, 'utf8').catch(() => undefined);
  if (now !== undefined && now.trim() !== '1') await writeFile(path, '1').catch(() => undefined);
}
