// The simulated kubelet's pod work for every node of this agent, through one pods informer
// (pods bound to any node) rather than one watch per node: start pods bound to our nodes
// (Running and Ready, with an IP from the node's pod CIDR), end them after their simulated run
// time, and confirm deletions (DELETE with grace 0, as a kubelet does once containers are gone).
// Pods on other nodes are ignored.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { resourcePath } from '../client/rest-client.js';
import { Informer, objectKey, splitKey } from '../client/informer.js';
import { Controller } from '../client/controller.js';
import { IpPool } from './ip-pool.js';
import type { SimulatedNodes } from './nodes.js';
import { nowRfc3339 } from './node-object.js';
import { exitCode, finishedStatus, isFinished, isRunning, runningStatus, runSeconds, specOf, statusOf } from './pod-status.js';

const WORKERS = 128;

export class PodRunner {
  readonly pods: Informer;
  private readonly controller: Controller;
  private readonly pools = new Map<string, IpPool>();
  private readonly podsByNode = new Map<string, Set<string>>();

  constructor(
    private readonly client: RestClient,
    private readonly nodes: SimulatedNodes,
    private readonly nodeInformer: Informer,
    private readonly log: Logger,
  ) {
    this.pods = new Informer(client, { group: '', version: 'v1', resource: 'pods', fieldSelector: 'spec.nodeName!=', onError: (m) => log.debug(m) });
    this.controller = new Controller({ name: 'simulated-pods', log, workers: WORKERS }, (key) => this.reconcile(key));
    this.pods.addHandler({
      onAdd: (p) => this.podSeen(p),
      onUpdate: (_old, p) => this.podSeen(p),
      onDelete: (p) => this.podGone(p),
    });
    nodeInformer.addHandler({
      onAdd: (n) => this.nodeSeen(n),
      onUpdate: (_old, n) => this.nodeSeen(n),
    });
  }

  private podSeen(pod: KObject): void {
    const node = specOf(pod).nodeName ?? '';
    if (!this.nodes.has(node)) return;
    const key = objectKey(pod);
    let set = this.podsByNode.get(node);
    if (!set) this.podsByNode.set(node, (set = new Set()));
    set.add(key);
    const ip = statusOf(pod).podIP;
    if (ip && !specOf(pod).hostNetwork) this.pools.get(node)?.adopt(pod.metadata.uid ?? '', ip);
    this.controller.enqueue(key);
  }

  private podGone(pod: KObject): void {
    const node = specOf(pod).nodeName ?? '';
    if (!this.nodes.has(node)) return;
    this.podsByNode.get(node)?.delete(objectKey(pod));
    this.pools.get(node)?.release(pod.metadata.uid ?? '');
  }

  private nodeSeen(node: KObject): void {
    const name = node.metadata.name ?? '';
    if (!this.nodes.has(name)) return;
    this.nodes.nodeChanged(node);
    const cidr = (node.spec as { podCIDR?: string } | undefined)?.podCIDR;
    if (!cidr || this.pools.get(name)?.cidr === cidr) return;
    let pool: IpPool;
    try {
      pool = new IpPool(cidr);
    } catch (e) {
      this.log.warn(`node ${name}: ${(e as Error).message}; its pods cannot start`);
      return;
    }
    this.pools.set(name, pool);
    // Adopt the addresses pods already have, then start the pods that were waiting for the CIDR.
    const keys = [...(this.podsByNode.get(name) ?? [])];
    for (const key of keys) {
      const pod = this.pods.getByKey(key);
      const ip = pod && statusOf(pod).podIP;
      if (pod && ip && !specOf(pod).hostNetwork && !isFinished(pod)) pool.adopt(pod.metadata.uid ?? '', ip);
    }
    for (const key of keys) this.controller.enqueue(key);
  }

  private async reconcile(key: string): Promise<{ requeueAfterMs: number } | void> {
    const pod = this.pods.getByKey(key);
    if (!pod) return;
    const nodeName = specOf(pod).nodeName ?? '';
    if (!this.nodes.has(nodeName)) return;
    const uid = pod.metadata.uid ?? '';
    const { namespace, name } = splitKey(key);
    if (pod.metadata.deletionTimestamp) {
      this.pools.get(nodeName)?.release(uid);
      try {
        await this.client.delete(resourcePath('', 'v1', 'pods', namespace, name), { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (e) {
        if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
      }
      return;
    }
    if (isFinished(pod)) {
      this.pools.get(nodeName)?.release(uid);
      return;
    }
    let current = pod;
    if (!isRunning(pod)) {
      const hostIP = this.nodes.address(nodeName)!;
      let podIP = hostIP;
      if (!specOf(pod).hostNetwork) {
        const pool = this.pools.get(nodeName);
        if (!pool) return; // the node has no pod CIDR yet; nodeSeen enqueues the pod when it has
        const ip = pool.allocate(uid);
        if (!ip) {
          this.log.warn(`pod ${key}: no free address in ${pool.cidr} of node ${nodeName}`);
          return { requeueAfterMs: 5000 };
        }
        podIP = ip;
      }
      // A shallow copy with a new status is enough: the body is serialized at once, and the
      // informer's object is left as it is (a deep clone of each pod was ~7% of this process).
      const next: KObject = { ...pod, status: runningStatus(pod, hostIP, podIP, nowRfc3339()) };
      current = await this.client.update<KObject>(resourcePath('', 'v1', 'pods', namespace, name, 'status'), next);
    }
    const seconds = runSeconds(current);
    if (!seconds) return;
    const started = Date.parse(statusOf(current).startTime ?? '') || Date.now();
    const left = started + seconds * 1000 - Date.now();
    if (left > 0) return { requeueAfterMs: left };
    const done: KObject = { ...current, status: finishedStatus(current, exitCode(current), nowRfc3339()) };
    await this.client.update(resourcePath('', 'v1', 'pods', namespace, name, 'status'), done);
    this.pools.get(nodeName)?.release(uid);
  }

  /** Runs the pods informer and the workers until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.pods.run(signal), this.controller.run(signal)]);
  }
}
