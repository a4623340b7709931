// The Scheduler: informer events feed the cache (assigned pods, nodes) and the queue (pending
// pods whose schedulerName is ours); the loop pops a pod, runs one scheduling cycle (Algorithm),
// assumes the pod on the chosen node, and binds it asynchronously so many bindings are in flight
// at once. Failures record a FailedScheduling event and the PodScheduled=False condition, and
// put the pod back in the queue.
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import type { EventRecorder } from '../client/events.js';
import { resourcePath } from '../client/rest-client.js';
import { SchedulerCache } from './cache.js';
import { Framework, type CycleState, type Handle, type Listers, type Plugin } from './framework.js';
import { PodNominator } from './nominator.js';
import { newPodInfo, type PodInfo } from './pod-info.js';
import { SchedulingQueue, type QueueOptions, type QueuedPodInfo } from './queue.js';
import { Algorithm } from './schedule-one.js';
import { buildPlugins } from './registry.js';
import { nodeUpdateEvents } from './cluster-events.js';
import { isSuccess, statusMessage, type Status } from './status.js';
import { DEFAULT_SCHEDULER_NAME, podKey, type Node, type Pod, type PodCondition } from './types.js';

export interface SchedulerOptions {
  client?: RestClient;
  log: Logger;
  recorder?: EventRecorder;
  schedulerName?: string;
  listers?: Partial<Listers>;
  /** 0 (default) = adaptive, as upstream. */
  percentageOfNodesToScore?: number;
  queue?: QueueOptions;
  /** Replaces the default plugins (benchmarks use a binder that does not call the API). */
  plugins?: (h: Handle) => { plugin: Plugin; weight?: number }[];
}

const NOTE_LENGTH_LIMIT = 1024;

function truncate(msg: string): string {
  return msg.length <= NOTE_LENGTH_LIMIT ? msg : msg.slice(0, NOTE_LENGTH_LIMIT - 4) + ' ...';
}

const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const json = (v: unknown): string => JSON.stringify(v ?? null);

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly nominator = new PodNominator();
  readonly framework: Framework;
  readonly algorithm: Algorithm;
  readonly schedulerName: string;
  private readonly binds = new Set<Promise<void>>();
  /** Pods bound and failed attempts, for benchmarks and metrics. */
  scheduled = 0;
  failedAttempts = 0;

  constructor(private readonly o: SchedulerOptions) {
    this.schedulerName = o.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.queue = new SchedulingQueue(o.queue);
    const listers: Listers = {
      pvc: () => undefined,
      pv: () => undefined,
      storageClass: () => undefined,
      pdbs: () => [],
      pod: () => undefined,
      ...o.listers,
    };
    const handle: Handle = { cache: this.cache, client: o.client, recorder: o.recorder, log: o.log, schedulerName: this.schedulerName, listers, nominator: this.nominator };
    this.framework = new Framework(handle, (o.plugins ?? buildPlugins)(handle));
    this.algorithm = new Algorithm(this.framework, o.percentageOfNodesToScore ?? 0);
  }

  responsible(pod: Pod): boolean {
    return (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === this.schedulerName;
  }

  // --- informer events -----------------------------------------------------------------------

  onPodAdd(pod: Pod): void {
    if (isTerminal(pod)) return;
    const key = podKey(pod);
    if (pod.spec.nodeName) {
      this.queue.delete(key);
      this.nominator.remove(key);
      this.cache.addOrUpdatePod(pod);
      this.queue.moveAllToActiveOrBackoff('AssignedPodAdd');
      return;
    }
    if (!this.responsible(pod) || pod.metadata.deletionTimestamp || this.cache.isAssumed(key)) return;
    const info = newPodInfo(pod);
    if (pod.status?.nominatedNodeName) this.nominator.set(info, pod.status.nominatedNodeName);
    this.queue.add(info);
  }

  onPodUpdate(old: Pod, pod: Pod): void {
    const key = podKey(pod);
    if (isTerminal(pod)) return this.onPodDelete(pod);
    if (pod.spec.nodeName) {
      const was = this.cache.podNode(key);
      if (was !== undefined && !this.cache.isAssumed(key) && json(old.metadata.labels) === json(pod.metadata.labels) && json(old.spec) === json(pod.spec) && !!old.metadata.deletionTimestamp === !!pod.metadata.deletionTimestamp) return;
      this.queue.delete(key);
      this.nominator.remove(key);
      this.cache.addOrUpdatePod(pod);
      this.queue.moveAllToActiveOrBackoff(was === undefined || this.cache.isAssumed(key) ? 'AssignedPodAdd' : 'AssignedPodUpdate');
      return;
    }
    if (!this.responsible(pod) || pod.metadata.deletionTimestamp) {
      this.queue.delete(key);
      this.nominator.remove(key);
      return;
    }
    if (this.cache.isAssumed(key)) return;
    const info = newPodInfo(pod);
    if (pod.status?.nominatedNodeName !== old.status?.nominatedNodeName) this.nominator.set(info, pod.status?.nominatedNodeName ?? '');
    // Our own status writes (conditions) must not send the pod around the queue again.
    const changed = json(old.spec) !== json(pod.spec) || json(old.metadata.labels) !== json(pod.metadata.labels) || !this.queue.has(key);
    if (changed) this.queue.update(info);
    else this.queue.refresh(info);
  }

  onPodDelete(pod: Pod): void {
    const key = podKey(pod);
    this.queue.delete(key);
    this.nominator.remove(key);
    if (this.cache.podNode(key) !== undefined) {
      this.cache.removePod(pod);
      this.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
    }
  }

  onNodeAdd(node: Node): void {
    this.cache.addNode(node);
    this.queue.moveAllToActiveOrBackoff('NodeAdd');
  }

  onNodeUpdate(old: Node, node: Node): void {
    this.cache.addNode(node);
    for (const e of nodeUpdateEvents(old, node)) this.queue.moveAllToActiveOrBackoff(e);
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node.metadata.name ?? '');
    this.queue.moveAllToActiveOrBackoff('NodeDelete');
  }

  // --- the loop ------------------------------------------------------------------------------

  /** Schedules until `signal` aborts; resolves after in-flight bindings settle. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.close();
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    this.queue.start();
    let slice = performance.now();
    for (;;) {
      const q = await this.queue.pop();
      if (!q) break;
      this.scheduleOne(q);
      // Let informer events and binding responses in between pods.
      if (performance.now() - slice > 5) {
        await new Promise((r) => setImmediate(r));
        slice = performance.now();
      }
    }
    signal.removeEventListener('abort', stop);
    await this.drain();
  }

  /** Resolves when no binding is in flight. */
  async drain(): Promise<void> {
    while (this.binds.size) await Promise.allSettled([...this.binds]);
  }

  /** One scheduling cycle for a popped pod; binding continues asynchronously. */
  scheduleOne(q: QueuedPodInfo): void {
    const pod = q.podInfo;
    if (pod.terminating || (this.cache.podNode(pod.key) !== undefined && !this.cache.isAssumed(pod.key))) {
      this.queue.done(pod.key);
      return;
    }
    let r;
    try {
      r = this.algorithm.schedule(pod);
    } catch (e) {
      this.o.log.error(`scheduling ${pod.key}: ${(e as Error).stack ?? e}`);
      return this.failure(q, { code: 'Error', reasons: [(e as Error).message] }, (e as Error).message, new Set());
    }
    if (!r.ok) {
      this.failedAttempts++;
      return this.failure(q, r.status, r.message, r.plugins ?? new Set(), r.nominatedNodeName);
    }
    const assumed = this.cache.assumePod(pod, r.node);
    const rs = this.framework.runReserve(r.state, assumed, r.node);
    if (!isSuccess(rs)) {
      this.cache.forgetPod(pod.key);
      return this.failure(q, rs, statusMessage(rs), new Set([rs.plugin ?? '']));
    }
    this.nominator.remove(pod.key);
    const p = this.bindingCycle(q, r.state, assumed, r.node).finally(() => this.binds.delete(p));
    this.binds.add(p);
  }

  private async bindingCycle(q: QueuedPodInfo, state: CycleState, assumed: PodInfo, node: string): Promise<void> {
    let s = await this.framework.runPreBind(state, assumed, node);
    if (isSuccess(s)) s = await this.framework.runBind(assumed, node);
    if (!isSuccess(s)) {
      this.framework.runUnreserve(state, assumed, node);
      this.cache.forgetPod(assumed.key);
      this.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
      this.failure(q, { code: 'Error', reasons: s.reasons }, statusMessage(s), new Set());
      return;
    }
    this.scheduled++;
    this.queue.done(assumed.key);
    const { namespace, name } = assumed.pod.metadata;
    this.o.recorder?.event({ ...assumed.pod, apiVersion: 'v1', kind: 'Pod' }, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
  }

  /** handleSchedulingFailure: requeue, nomination, FailedScheduling event, PodScheduled condition. */
  private failure(q: QueuedPodInfo, status: Status, message: string, plugins: Set<string>, nominatedNodeName?: string): void {
    const pod = q.podInfo.pod;
    const isError = status.code === 'Error';
    const live = this.o.listers?.pod ? this.o.listers.pod(pod.metadata.namespace ?? '', pod.metadata.name ?? '') : pod;
    if (!live || live.metadata.uid !== pod.metadata.uid || live.spec.nodeName) {
      this.queue.done(q.podInfo.key);
      return;
    }
    this.queue.requeue(q, plugins, isError);
    if (nominatedNodeName !== undefined) this.nominator.set(q.podInfo, nominatedNodeName);
    if (!isError || !this.o.client) this.o.log.debug(`unable to schedule ${q.podInfo.key}: ${message}`);
    else this.o.log.info(`error scheduling ${q.podInfo.key}: ${message}`);
    const msg = truncate(message);
    this.o.recorder?.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'FailedScheduling', msg);
    void this.updatePodStatus(live, { type: 'PodScheduled', status: 'False', reason: isError ? 'SchedulerError' : 'Unschedulable', message: msg }, nominatedNodeName);
  }

  private async updatePodStatus(pod: Pod, cond: PodCondition, nominatedNodeName: string | undefined): Promise<void> {
    const client = this.o.client;
    if (!client) return;
    const cur = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    const curNom = pod.status?.nominatedNodeName ?? '';
    const nomChanges = nominatedNodeName !== undefined && nominatedNodeName !== curNom;
    if (cur && cur.status === cond.status && cur.reason === cond.reason && cur.message === cond.message && !nomChanges) return;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = { ...cond, lastProbeTime: null, lastTransitionTime: cur && cur.status === cond.status ? cur.lastTransitionTime : now };
    const patch: { status: Record<string, unknown> } = { status: { conditions: [condition] } };
    if (nomChanges) patch.status.nominatedNodeName = nominatedNodeName || null;
    try {
      await client.patch(resourcePath('', 'v1', 'pods', pod.metadata.namespace, pod.metadata.name, 'status'), patch, 'strategic');
    } catch (e) {
      this.o.log.debug(`updating status of ${podKey(pod)}: ${(e as Error).message}`);
    }
  }
}
