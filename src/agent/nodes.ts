// The simulated nodes' kubelet duties towards the Node objects: registration (create, or take
// over an existing Node of the same name as a restarted kubelet does) and heartbeats — the Lease
// renewed every 10 s (a quarter of its 40 s duration, as the kubelet) and a NodeStatus update
// every minute, or at once when the API shows a condition we did not post (e.g. the node
// lifecycle controller marked it Unknown). Renewals are spread over the period so 5,000 nodes
// cost a steady trickle of requests rather than a burst every 10 s.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { resourcePath } from '../client/rest-client.js';
import type { SimulatedAgentConfig } from './config.js';
import { forEachLimited, Limiter } from './limit.js';
import { LEASE_NAMESPACE, leaseObject, nodeAddress, nodeObject, nodeStatus, nowMicro, transitionsOf } from './node-object.js';
import type { NodeCondition } from './node-object.js';

export const LEASE_RENEW_MS = 10_000;
export const STATUS_REPORT_MS = 60_000;
const TICK_MS = 100;
const REGISTER_CONCURRENCY = 32;
/**
 * Heartbeats (Lease renewals, node status) in flight at once. Kubelets renew on their own, so N
 * nodes send N/10 renewals a second however slow the server is; to keep that pace when a busy
 * server takes a few hundred ms per request, this many must be in flight (Little's law: 256 at
 * 0.3 s is ~850/s, for 5,000 nodes' 500/s). The agent's heartbeat client has as many connections.
 */
export const HEARTBEAT_CONCURRENCY = 256;

const NODES = resourcePath('', 'v1', 'nodes');
const LEASES = resourcePath('coordination.k8s.io', 'v1', 'leases', LEASE_NAMESPACE);

interface NodeState {
  name: string;
  index: number;
  address: string;
  uid?: string;
  lease?: KObject;
  leaseBusy: boolean;
  leaseFailed?: boolean;
  statusBusy: boolean;
}

export class SimulatedNodes {
  readonly names: string[];
  private readonly byName = new Map<string, NodeState>();
  private readonly limiter = new Limiter(HEARTBEAT_CONCURRENCY);
  /** Returns the API's current view of a node (the agent's informer), for condition transitions. */
  current: (name: string) => KObject | undefined = () => undefined;

  constructor(
    private readonly client: RestClient,
    private readonly cfg: SimulatedAgentConfig,
    private readonly log: Logger,
  ) {
    this.names = Array.from({ length: cfg.nodes }, (_, i) => `${cfg.namePrefix}-${i}`);
    this.names.forEach((name, index) => this.byName.set(name, { name, index, address: nodeAddress(cfg.namePrefix, index), leaseBusy: false, statusBusy: false }));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  address(name: string): string | undefined {
    return this.byName.get(name)?.address;
  }

  /**
   * Registers every node (bounded concurrency); resolves when all are up. Call once `current`
   * reflects the API (the nodes informer has synced) so existing nodes are updated, not created.
   */
  async register(signal: AbortSignal): Promise<void> {
    await forEachLimited(this.names, REGISTER_CONCURRENCY, async (name) => {
      for (let attempt = 0; !signal.aborted; attempt++) {
        try {
          await this.registerOne(this.byName.get(name)!);
          return;
        } catch (e) {
          if (attempt % 10 === 0) this.log.warn(`registering node ${name}: ${(e as Error).message} (retrying)`);
          await sleep(Math.min(200 * 2 ** Math.min(attempt, 5), 5000), signal);
        }
      }
    }, signal);
  }

  private async registerOne(st: NodeState): Promise<void> {
    const known = this.current(st.name);
    if (known) {
      // Seen in the informer: a restarted agent takes its node over with one status update.
      st.uid = known.metadata.uid;
      await this.postStatus(st, known);
      return;
    }
    try {
      const created = await this.client.create<KObject>(NODES, nodeObject(this.cfg, st.name, st.address));
      st.uid = created.metadata.uid;
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
      // A node of this name exists (a restarted agent): take it over and report fresh status.
      const existing = await this.client.get<KObject>(resourcePath('', 'v1', 'nodes', undefined, st.name));
      st.uid = existing.metadata.uid;
      await this.postStatus(st, existing);
    }
    // The Lease is created by the heartbeat loop right after: registration stays one request
    // per node, and the lifecycle controller grants new nodes a full grace period anyway.
  }

  private async postStatus(st: NodeState, current?: KObject): Promise<void> {
    const status = nodeStatus(this.cfg, st.address, st.name, transitionsOf(current ?? this.current(st.name)));
    await this.client.patch(resourcePath('', 'v1', 'nodes', undefined, st.name, 'status'), { status }, 'merge');
  }

  private async renewLease(st: NodeState): Promise<void> {
    if (st.lease) {
      const next = { ...st.lease, spec: { ...(st.lease.spec as object), holderIdentity: st.name, renewTime: nowMicro() } };
      try {
        st.lease = await this.client.update<KObject>(resourcePath('coordination.k8s.io', 'v1', 'leases', LEASE_NAMESPACE, st.name), next);
        return;
      } catch (e) {
        if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) throw e;
        st.lease = undefined;
      }
    }
    try {
      st.lease = await this.client.create<KObject>(LEASES, leaseObject(st.name, st.uid));
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
      // Someone else's copy is newer: start from it and renew on top.
      const cur = await this.client.get<KObject>(resourcePath('coordination.k8s.io', 'v1', 'leases', LEASE_NAMESPACE, st.name));
      st.lease = await this.client.update<KObject>(resourcePath('coordination.k8s.io', 'v1', 'leases', LEASE_NAMESPACE, st.name), { ...cur, spec: { ...(cur.spec as object), holderIdentity: st.name, leaseDurationSeconds: 40, renewTime: nowMicro() } });
    }
  }

  /** Called when the API's copy of one of our nodes changed: repost status if it is not ours. */
  nodeChanged(node: KObject): void {
    const st = this.byName.get(node.metadata.name ?? '');
    if (!st || st.statusBusy || !st.uid) return;
    const conds = (node.status as { conditions?: NodeCondition[] } | undefined)?.conditions ?? [];
    const ready = conds.find((c) => c.type === 'Ready');
    if (ready?.status === 'True' && ready.reason === 'KubeletReady') return;
    this.log.debug(`node ${st.name}: API shows Ready=${ready?.status ?? 'missing'}; reposting status`);
    this.statusTask(st);
  }

  private leaseTask(st: NodeState): void {
    if (st.leaseBusy) return;
    st.leaseBusy = true;
    void this.limiter
      .run(() => this.renewLease(st))
      .then(() => (st.leaseFailed = false))
      .catch((e) => {
        st.leaseFailed = true;
        this.log.debug(`lease ${st.name}: ${(e as Error).message}`);
      })
      .finally(() => (st.leaseBusy = false));
  }

  private statusTask(st: NodeState): void {
    if (st.statusBusy) return;
    st.statusBusy = true;
    void this.limiter
      .run(() => this.postStatus(st))
      .catch((e) => this.log.debug(`node status ${st.name}: ${(e as Error).message}`))
      .finally(() => (st.statusBusy = false));
  }

  /** Renews leases and reports status until `signal` aborts; each node has its own slot. */
  async heartbeat(signal: AbortSignal): Promise<void> {
    const leaseSlots = LEASE_RENEW_MS / TICK_MS;
    const statusSlots = STATUS_REPORT_MS / TICK_MS;
    let tick = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        tick++;
        const ls = tick % leaseSlots;
        const ss = tick % statusSlots;
        for (const st of this.byName.values()) {
          if (!st.uid) continue;
          // A node without a lease gets one at once, unless that just failed (then: its slot).
          if (st.index % leaseSlots === ls || (!st.lease && !st.leaseFailed)) this.leaseTask(st);
          if (st.index % statusSlots === ss) this.statusTask(st);
        }
      }, TICK_MS);
      signal.addEventListener('abort', () => {
        clearInterval(timer);
        resolve();
      }, { once: true });
    });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
