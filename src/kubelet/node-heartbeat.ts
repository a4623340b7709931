// Registers the Node (or takes over an existing one of the same name, as a restarted kubelet
// does), then keeps it current: the Lease in kube-node-lease renewed every 10 s, the status
// (conditions, capacity, images) posted every 10 s or at once when health changes.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Logger } from '../util/log.js';
import { sleep } from '../util/sleep.js';
import type { RestClient } from '../client/rest-client.js';
import { resourcePath } from '../client/rest-client.js';
import type { KubeletConfig } from './config.js';
import type { Health } from './node-status.js';
import { nodeObject, nodeStatus } from './node-status.js';

const LEASE_NS = 'kube-node-lease';
const nowMicro = () => new Date().toISOString().replace('Z', '000Z');

export class NodeHeartbeat {
  node: KObject | undefined;
  private lastHealth = '';

  constructor(
    private readonly client: RestClient,
    private readonly cfg: KubeletConfig,
    private readonly health: () => Promise<Health>,
    private readonly images: () => Promise<{ names: string[]; sizeBytes: number }[]>,
    private readonly log: Logger,
  ) {}

  /** Creates the Node, or adopts the existing one; retries until the API answers or the signal aborts. */
  async register(signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const h = await this.health();
        try {
          this.node = await this.client.create(resourcePath('', 'v1', 'nodes'), nodeObject(this.cfg, h));
          this.log.info(`registered node ${this.cfg.nodeName} (${this.cfg.nodeIp})`);
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 409)) throw e;
          const existing = await this.client.get(resourcePath('', 'v1', 'nodes', undefined, this.cfg.nodeName));
          const want = nodeObject(this.cfg, h);
          this.node = await this.client.patch(resourcePath('', 'v1', 'nodes', undefined, this.cfg.nodeName), { metadata: { labels: { ...existing.metadata.labels, ...want.metadata.labels } } });
          this.log.info(`node ${this.cfg.nodeName} already registered: taking it over`);
        }
        await this.postStatus(h);
        await this.renewLease();
        return;
      } catch (e) {
        this.log.warn(`registering node ${this.cfg.nodeName}: ${(e as Error).message}`);
        await sleep(Math.min(7000, 500 * 2 ** attempt), signal);
      }
    }
  }

  private async postStatus(h: Health): Promise<void> {
    const status = nodeStatus(this.cfg, h, this.node, await this.images().catch(() => []));
    this.node = await this.client.patch(resourcePath('', 'v1', 'nodes', undefined, this.cfg.nodeName, 'status'), { status });
    this.lastHealth = JSON.stringify(h);
  }

  private async renewLease(): Promise<void> {
    const path = resourcePath('coordination.k8s.io', 'v1', 'leases', LEASE_NS, this.cfg.nodeName);
    const spec = { holderIdentity: this.cfg.nodeName, leaseDurationSeconds: 40, renewTime: nowMicro() };
    try {
      await this.client.patch(path, { spec });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
      const owner = this.node?.metadata.uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.cfg.nodeName, uid: this.node.metadata.uid }] : undefined;
      await this.client.create(resourcePath('coordination.k8s.io', 'v1', 'leases', LEASE_NS), { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.cfg.nodeName, namespace: LEASE_NS, ownerReferences: owner }, spec });
    }
  }

  /** Heartbeats until the signal aborts. Health changes are posted within a second. */
  async run(signal: AbortSignal): Promise<void> {
    let lastStatus = Date.now();
    let lastLease = Date.now();
    while (!signal.aborted) {
      await sleep(1000, signal);
      if (signal.aborted) break;
      try {
        const h = await this.health();
        if (JSON.stringify(h) !== this.lastHealth || Date.now() - lastStatus >= 10_000) {
          await this.postStatus(h);
          lastStatus = Date.now();
        }
        if (Date.now() - lastLease >= 10_000) {
          await this.renewLease();
          lastLease = Date.now();
        }
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) {
          this.log.warn(`node ${this.cfg.nodeName} was deleted from the API: registering again`);
          await this.register(signal);
        } else this.log.debug(`heartbeat: ${(e as Error).message}`);
      }
    }
  }
}
