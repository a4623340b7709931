// Drives the pod sync loop: one serial worker per pod UID, woken by the pods informer, the
// runtime relist, probe results and timers. After each pass it reports the pod's status to the
// API (only when it changed), finishes graceful deletion (the final delete with grace 0), and
// cleans up pods the API no longer has.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { resourcePath } from '../client/rest-client.js';
import type { Informer } from '../client/informer.js';
import type { RuntimeCache } from './runtime-cache.js';
import type { PodSyncer } from './pod-sync.js';
import { computePodStatus } from './pod-status.js';
import type { ProbeService, SpecBuilder } from './pod-deps.js';

interface Worker {
  running: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
}

export interface PodWorkersDeps {
  client: RestClient;
  pods: Informer;
  cache: RuntimeCache;
  syncer: PodSyncer;
  probes: ProbeService;
  spec: SpecBuilder;
  nodeIp: string;
  log: Logger;
  /** Pods the kubelet itself ended (eviction, deadline): reason and message for the status. */
  failures: Map<string, { reason: string; message: string }>;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly lastStatus = new Map<string, string>();
  private readonly finishing = new Set<string>();
  /** The startTime first reported per pod, kept stable while the informer's copy lags behind. */
  private readonly startTimes = new Map<string, string>();

  constructor(private readonly d: PodWorkersDeps, private readonly signal: AbortSignal) {}

  /** Schedules a sync of the pod with this UID (now, or after delayMs). */
  enqueue(uid: string, delayMs = 0): void {
    if (this.signal.aborted) return;
    let w = this.workers.get(uid);
    if (!w) this.workers.set(uid, (w = { running: false, again: false }));
    if (delayMs > 0) {
      if (w.timer) return;
      w.timer = setTimeout(() => {
        w!.timer = undefined;
        this.enqueue(uid);
      }, delayMs);
      return;
    }
    if (w.running) {
      w.again = true;
      return;
    }
    w.running = true;
    void this.run(uid, w);
  }

  private async run(uid: string, w: Worker): Promise<void> {
    do {
      w.again = false;
      try {
        await this.syncOne(uid);
      } catch (e) {
        this.d.log.warn(`sync pod ${uid}: ${(e as Error).message}`);
        this.enqueue(uid, 2000);
      }
    } while (w.again && !this.signal.aborted);
    w.running = false;
    if (!w.timer && !this.d.pods.list().some((p) => p.metadata.uid === uid) && !this.d.cache.pod(uid)) this.workers.delete(uid);
  }

  private podByUid(uid: string): KObject | undefined {
    return this.d.pods.list().find((p) => p.metadata.uid === uid);
  }

  private async syncOne(uid: string): Promise<void> {
    const pod = this.podByUid(uid);
    const rt = this.d.cache.pod(uid);
    if (!pod) {
      // Gone from the API (force-deleted, or deleted after we finished): remove what is left.
      if (rt) {
        this.d.log.info(`removing pod ${rt.namespace}/${rt.name} (${uid}): no longer in the API`);
        await this.d.syncer.terminate(undefined, rt, 2);
        await this.d.cache.refresh();
        await this.d.syncer.remove(uid, this.d.cache.pod(uid));
        await this.d.cache.refresh();
      }
      this.lastStatus.delete(uid);
      this.startTimes.delete(uid);
      return;
    }
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (pod.metadata.deletionTimestamp) return this.finishDeletion(pod);
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Finished pods keep their containers (for logs) but release the sandbox (IP, ports).
      if (rt?.sandboxes.some((s) => s.state === 'SANDBOX_READY')) {
        await this.d.syncer.terminate(pod, rt, 0);
        await this.d.cache.refresh();
      }
      return;
    }
    const failure = this.d.failures.get(uid);
    if (failure) {
      await this.d.syncer.terminate(pod, rt, 0);
      await this.d.cache.refresh();
      await this.report(pod);
      return;
    }
    const r = await this.d.syncer.sync(pod, this.signal);
    await this.report(pod);
    const after = this.d.cache.pod(uid);
    if (after) await this.d.syncer.collectGarbage(after);
    if (r.retryAfterMs !== undefined) this.enqueue(uid, Math.max(50, r.retryAfterMs));
  }

  private async finishDeletion(pod: KObject): Promise<void> {
    const uid = pod.metadata.uid!;
    if (this.finishing.has(uid)) return;
    this.finishing.add(uid);
    try {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? 30;
      await this.d.syncer.terminate(pod, this.d.cache.pod(uid), grace);
      await this.d.cache.refresh();
      await this.report(pod);
      await this.d.syncer.remove(uid, this.d.cache.pod(uid));
      await this.d.cache.refresh();
      try {
        await this.d.client.delete(resourcePath('', 'v1', 'pods', pod.metadata.namespace, pod.metadata.name), { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (e) {
        if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
      }
      this.lastStatus.delete(uid);
    } finally {
      this.finishing.delete(uid);
    }
  }

  /** Sends the pod's status when it changed. */
  async report(pod: KObject): Promise<void> {
    const uid = pod.metadata.uid!;
    const rt = this.d.cache.pod(uid);
    const sandbox = rt?.sandboxes[0];
    const hostNetwork = (pod.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork;
    const podIPs = hostNetwork ? [this.d.nodeIp] : sandbox?.state === 'SANDBOX_READY' ? sandbox.ips : ((pod.status as { podIPs?: { ip: string }[] } | undefined)?.podIPs ?? []).map((p) => p.ip);
    const spec = (pod.spec ?? {}) as { containers?: { name: string }[]; initContainers?: { name: string }[] };
    const byName = new Map([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => [c.name, c]));
    const known = (pod.status as { startTime?: string } | undefined)?.startTime ?? this.startTimes.get(uid);
    const status = computePodStatus({
      pod: known ? { ...pod, status: { ...(pod.status as object), startTime: known } } : pod,
      runtime: rt,
      hostIP: this.d.nodeIp,
      podIPs,
      waiting: this.d.syncer.waitingOf(uid),
      ready: (c) => this.d.probes.ready(c),
      started: (c) => this.d.probes.started(c),
      terminationMessage: (c) => {
        const ctr = byName.get(c.name);
        return ctr ? this.d.spec.terminationMessage(pod, ctr as never, c) : undefined;
      },
      podFailure: this.d.failures.get(uid),
    });
    const key = JSON.stringify(status, (k, v) => (k === 'lastTransitionTime' || k === 'lastProbeTime' ? undefined : v));
    if (this.lastStatus.get(uid) === key) return;
    try {
      await this.d.client.patch(resourcePath('', 'v1', 'pods', pod.metadata.namespace, pod.metadata.name, 'status'), { metadata: { uid }, status });
      this.lastStatus.set(uid, key);
      if (!this.startTimes.has(uid)) this.startTimes.set(uid, status.startTime as string);
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
  }

  /** Syncs every known pod (periodic resync) and every runtime pod the API lacks. */
  resyncAll(): void {
    const uids = new Set(this.d.pods.list().map((p) => p.metadata.uid!));
    for (const p of this.d.cache.all()) uids.add(p.uid);
    for (const uid of uids) this.enqueue(uid);
  }

  stop(): void {
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
  }
}
