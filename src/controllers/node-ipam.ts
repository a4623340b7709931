// Node IPAM (upstream's range allocator): gives every Node a /24 of the cluster CIDR as
// spec.podCIDR / spec.podCIDRs. Allocations never overlap, never change once set (validation
// forbids it), are rebuilt from the Nodes at start and are freed when a Node is deleted. When
// the range is exhausted the node gets a CIDRNotAvailable event and is retried later.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';
import { Controller, TerminalError } from '../client/controller.js';
import type { ControllerContext, ControllerDef } from './context.js';

/** Upstream's --node-cidr-mask-size for IPv4. */
export const NODE_CIDR_MASK = 24;
const RETRY_FULL_MS = 10_000;
const MAX_RETRY_FULL_MS = 5 * 60_000;

/** The /mask subnets of an IPv4 CIDR, addressed by index; which are taken, by whom. */
export class CidrSet {
  readonly base: number;
  readonly count: number;
  private readonly owner = new Map<number, string>();
  private next = 0;

  constructor(cidr: string, readonly mask = NODE_CIDR_MASK) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const bits = m ? Number(m[5]) : NaN;
    if (!m || octets.some((o) => o > 255) || bits > mask || bits < 8) throw new Error(`cluster CIDR "${cidr}" is not supported: IPv4 with a prefix from /8 to /${mask} is required`);
    const ip = octets.reduce((a, o) => a * 256 + o, 0);
    const size = 2 ** (32 - bits);
    this.base = ip - (ip % size);
    this.count = 2 ** (mask - bits);
  }

  cidrOf(i: number): string {
    const n = this.base + i * 2 ** (32 - this.mask);
    return `${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')}/${this.mask}`;
  }

  /** Index of `cidr` if it is one of our subnets, else undefined. */
  indexOf(cidr: string): number | undefined {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m || Number(m[5]) !== this.mask) return undefined;
    const ip = m.slice(1, 5).map(Number).reduce((a, o) => a * 256 + o, 0);
    const off = ip - this.base;
    const step = 2 ** (32 - this.mask);
    if (off < 0 || off % step !== 0 || off / step >= this.count) return undefined;
    return off / step;
  }

  occupy(i: number, node: string): void {
    this.owner.set(i, node);
  }

  ownerOf(i: number): string | undefined {
    return this.owner.get(i);
  }

  release(i: number, node: string): void {
    if (this.owner.get(i) === node) this.owner.delete(i);
  }

  /** The next free subnet after the last one handed out (round robin, as upstream's cidrset). */
  allocate(node: string): number | undefined {
    for (let k = 0; k < this.count; k++) {
      const i = (this.next + k) % this.count;
      if (!this.owner.has(i)) {
        this.owner.set(i, node);
        this.next = (i + 1) % this.count;
        return i;
      }
    }
    return undefined;
  }
}

function podCidrsOf(node: KObject): string[] {
  const spec = (node.spec ?? {}) as { podCIDR?: string; podCIDRs?: string[] };
  return spec.podCIDRs?.length ? spec.podCIDRs : spec.podCIDR ? [spec.podCIDR] : [];
}

export const nodeIpamController: ControllerDef = {
  name: 'node-ipam',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const set = new CidrSet(ctx.config.clusterCidr);
    const nodes = ctx.informers.informer('', 'v1', 'nodes');
    /** What we believe each node holds (observed or just assigned), so deletes can free it. */
    const held = new Map<string, number>();
    /** Nodes waiting for a free subnet: how many times they found none. */
    const waiting = new Map<string, number>();
    const observe = (node: KObject) => {
      const name = node.metadata.name!;
      for (const c of podCidrsOf(node)) {
        const i = set.indexOf(c);
        if (i === undefined) continue;
        const prev = held.get(name);
        if (prev !== undefined && prev !== i) set.release(prev, name);
        set.occupy(i, name);
        held.set(name, i);
      }
    };
    // 30 workers, as upstream's range allocator (cidrUpdateWorkers): with thousands of nodes joining, each
    // assignment is one API round trip.
    const controller = new Controller({ name: 'node-ipam', log: ctx.log, workers: 30 }, async (name) => {
      const node = nodes.get('', name);
      if (!node) {
        waiting.delete(name);
        const i = held.get(name);
        if (i !== undefined) set.release(i, name);
        held.delete(name);
        return;
      }
      if (podCidrsOf(node).length) return observe(node);
      let i = held.get(name);
      if (i === undefined || set.ownerOf(i) !== name) {
        i = set.allocate(name);
        if (i === undefined) {
          ctx.recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
          // Back off per node (a freed subnet wakes waiting nodes at once, see onDelete).
          const n = (waiting.get(name) ?? 0) + 1;
          waiting.set(name, n);
          return { requeueAfterMs: Math.min(RETRY_FULL_MS * 2 ** (n - 1), MAX_RETRY_FULL_MS) };
        }
        waiting.delete(name);
        held.set(name, i);
      }
      const cidr = set.cidrOf(i);
      try {
        await ctx.client.patch(resourcePath('', 'v1', 'nodes', undefined, name), { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge');
        ctx.log.debug(`node ${name}: podCIDR ${cidr}`);
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) return;
        ctx.recorder.event(node, 'Normal', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
        // 422: the node got a CIDR meanwhile (it cannot change); the update event will tell us which.
        if (e instanceof StatusError && e.code === 422) throw new TerminalError(e.message);
        throw e;
      }
    });
    nodes.addHandler({
      // Occupy at once, from the handler: the initial list is delivered in one synchronous pass,
      // so every existing CIDR is known before the first allocation runs.
      onAdd: (n) => {
        observe(n);
        controller.enqueue(n.metadata.name!);
      },
      onUpdate: (_old, n) => {
        observe(n);
        // Nodes waiting for a subnet are retried on their own schedule, not at every heartbeat.
        if (!podCidrsOf(n).length && !waiting.has(n.metadata.name!)) controller.enqueue(n.metadata.name!);
      },
      onDelete: (n) => {
        const i = held.get(n.metadata.name!);
        if (i !== undefined) set.release(i, n.metadata.name!);
        held.delete(n.metadata.name!);
        controller.enqueue(n.metadata.name!);
        // Its subnet is free again: the longest-waiting node may have it now.
        const first = waiting.keys().next();
        if (!first.done) controller.enqueue(first.value);
      },
    });
    await controller.run(signal);
  },
};
