// One pass of the kubelet's level-triggered pod sync: compare the pod's spec with what the
// runtime holds and take the next steps — sandbox, init containers in order, containers with
// restart policy and back-off, liveness restarts — or, for a pod being deleted or finished, stop
// everything. Safe to run again at any time; the caller serialises passes per pod.
import type { KObject } from '../api/types.js';
import type { Logger } from '../util/log.js';
import type { EventRecorder } from '../client/events.js';
import type { CriClient } from './cri/client.js';
import type { PodSandboxConfig } from './cri/types.js';
import type { ContainerInfo, PodRuntime, RuntimeCache } from './runtime-cache.js';
import type { Waiting } from './pod-status.js';
import { Backoff } from './backoff.js';
import { ContainerStartError } from './pod-deps.js';
import type { CgroupService, HookService, ImageService, PodContainer, ProbeService, SpecBuilder, VolumeService } from './pod-deps.js';

export interface PodSyncDeps {
  cri: CriClient;
  cache: RuntimeCache;
  images: ImageService;
  volumes: VolumeService;
  spec: SpecBuilder;
  probes: ProbeService;
  hooks: HookService;
  cgroups: CgroupService;
  events: EventRecorder;
  log: Logger;
}

export interface SyncResult {
  /** Sync again after this many ms (back-off expiry), if set. */
  retryAfterMs?: number;
}

interface PodSpec {
  containers?: PodContainer[];
  initContainers?: PodContainer[];
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
}

/** How soon a container that failed to start (config error, image error) is tried again. */
const START_RETRY_MS = 3000;

export const podKey = (pod: KObject) => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
const specOf = (pod: KObject) => (pod.spec ?? {}) as PodSpec;

export class PodSyncer {
  readonly backoff = new Backoff();
  /** Waiting reasons by pod UID and container name. */
  readonly waiting = new Map<string, Map<string, Waiting>>();

  constructor(private readonly d: PodSyncDeps) {}

  waitingOf(uid: string): Map<string, Waiting> {
    let m = this.waiting.get(uid);
    if (!m) this.waiting.set(uid, (m = new Map()));
    return m;
  }

  async sync(pod: KObject, signal: AbortSignal): Promise<SyncResult> {
    const uid = pod.metadata.uid!;
    const spec = specOf(pod);
    let rt = this.d.cache.pod(uid);
    let sandbox = rt?.sandboxes[0];
    const waiting = this.waitingOf(uid);

    if (!sandbox || sandbox.state !== 'SANDBOX_READY') {
      // A pod whose containers all ran and will not restart keeps its dead sandbox.
      if (sandbox && (spec.restartPolicy ?? 'Always') !== 'Always' && this.allDone(pod, rt!)) return {};
      if (sandbox) this.d.events.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      await this.stopRuntimePod(rt, 0);
      const attempt = sandbox ? sandbox.attempt + 1 : 0;
      try {
        await this.d.cgroups.ensurePod(pod);
        await this.d.volumes.setUp(pod, signal);
      } catch (e) {
        this.d.events.event(pod, 'Warning', 'FailedMount', (e as Error).message);
        for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) waiting.set(c.name, { reason: 'ContainerCreating' });
        return { retryAfterMs: 2000 };
      }
      const cfg = this.d.spec.sandboxConfig(pod, attempt);
      try {
        await this.d.cri.runPodSandbox(cfg);
      } catch (e) {
        this.d.events.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
        return { retryAfterMs: 5000 };
      }
      await this.d.cache.refresh();
      rt = this.d.cache.pod(uid);
      sandbox = rt?.sandboxes[0];
      if (!sandbox || sandbox.state !== 'SANDBOX_READY') return { retryAfterMs: 1000 };
    }
    // Volumes the volume manager does not hold (a kubelet restarted beside running pods): set up
    // again (idempotent) before any container is created with them.
    if (!this.d.volumes.isSetUp(uid)) {
      try {
        await this.d.volumes.setUp(pod, signal);
      } catch (e) {
        this.d.events.event(pod, 'Warning', 'FailedMount', (e as Error).message);
        return { retryAfterMs: 2000 };
      }
    }
    // A pod runs in one sandbox: any other ready one (a lost race, an old attempt) is stopped.
    for (const extra of rt!.sandboxes.slice(1)) {
      if (extra.state !== 'SANDBOX_READY') continue;
      this.d.log.info(`${podKey(pod)}: stopping extra sandbox ${extra.id.slice(0, 12)}`);
      for (const c of rt!.containers) if (c.sandboxId === extra.id && c.state === 'CONTAINER_RUNNING') await this.d.cri.stopContainer(c.id, 0).catch(() => undefined);
      await this.d.cri.stopPodSandbox(extra.id).catch(() => undefined);
    }
    const sandboxCfg = this.d.spec.sandboxConfig(pod, sandbox.attempt);
    const inSandbox = (name: string) => rt!.containers.find((c) => c.name === name && c.sandboxId === sandbox!.id);
    const newestAttempt = (name: string) => {
      const all = rt!.containers.filter((c) => c.name === name).map((c) => c.attempt);
      return all.length ? Math.max(...all) + 1 : 0;
    };
    const restartPolicy = spec.restartPolicy ?? 'Always';
    let retry: number | undefined;
    const later = (ms: number) => (retry = retry === undefined ? ms : Math.min(retry, ms));

    // Init containers, one at a time, in order.
    for (const init of spec.initContainers ?? []) {
      const cur = inSandbox(init.name);
      if (!cur) {
        const ok = await this.start(pod, init, newestAttempt(init.name), sandbox.id, sandbox.ips, sandboxCfg);
        return ok ? {} : { retryAfterMs: START_RETRY_MS };
      }
      if (cur.state === 'CONTAINER_RUNNING' || cur.state === 'CONTAINER_CREATED') return {};
      if (cur.exitCode === 0) continue;
      if (restartPolicy === 'Never') return {};
      const wait = this.restartOrBackoff(pod, init, cur);
      if (wait > 0) return { retryAfterMs: wait };
      const ok = await this.start(pod, init, cur.attempt + 1, sandbox.id, sandbox.ips, sandboxCfg);
      return ok ? {} : { retryAfterMs: START_RETRY_MS };
    }

    // Containers, all together.
    await Promise.all((spec.containers ?? []).map(async (ctr) => {
      const cur = inSandbox(ctr.name);
      const startIt = async (attempt: number) => {
        if (!(await this.start(pod, ctr, attempt, sandbox!.id, sandbox!.ips, sandboxCfg))) later(START_RETRY_MS);
      };
      if (!cur) return startIt(newestAttempt(ctr.name));
      if (cur.state === 'CONTAINER_RUNNING') {
        this.d.probes.ensure(pod, ctr, cur, sandbox!.ips[0]);
        const why = this.d.probes.mustRestart(cur) ?? (cur.hash && cur.hash !== this.d.spec.hash(ctr) ? `Container ${ctr.name} definition changed, will be restarted` : undefined);
        if (why) {
          this.d.events.event(pod, 'Normal', 'Killing', why);
          await this.stopContainer(pod, ctr, cur, this.grace(pod));
          later(0);
        }
        return;
      }
      if (cur.state === 'CONTAINER_CREATED' || cur.state === 'CONTAINER_UNKNOWN') {
        await this.d.cri.removeContainer(cur.id).catch(() => undefined);
        return startIt(cur.attempt + 1);
      }
      // Exited.
      const restart = restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && cur.exitCode !== 0);
      if (!restart) {
        waitingOf(this, uid).delete(ctr.name);
        return;
      }
      const wait = this.restartOrBackoff(pod, ctr, cur);
      if (wait > 0) return later(wait);
      return startIt(cur.attempt + 1);
    }));
    return { retryAfterMs: retry };
  }

  /** 0 = restart now (back-off recorded); otherwise the container waits in CrashLoopBackOff for the returned ms. */
  private restartOrBackoff(pod: KObject, ctr: PodContainer, cur: ContainerInfo): number {
    const key = `${pod.metadata.uid}/${ctr.name}`;
    if (this.backoff.inBackoffSince(key, cur.finishedAt)) {
      const delay = this.backoff.delay(key);
      const message = `back-off ${formatDelay(delay)} restarting failed container=${ctr.name} pod=${podKey(pod)}`;
      const prev = this.waitingOf(pod.metadata.uid!).get(ctr.name);
      if (prev?.reason !== 'CrashLoopBackOff' || prev.message !== message) this.d.events.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${ctr.name} in pod ${podKey(pod)}`);
      this.waitingOf(pod.metadata.uid!).set(ctr.name, { reason: 'CrashLoopBackOff', message });
      return Math.max(100, this.backoff.remaining(key));
    }
    this.backoff.next(key);
    return 0;
  }

  /** Creates and starts a container; false when that failed (the reason is in `waiting`). */
  private async start(pod: KObject, ctr: PodContainer, attempt: number, sandboxId: string, podIPs: string[], sandboxCfg: PodSandboxConfig): Promise<boolean> {
    const waiting = this.waitingOf(pod.metadata.uid!);
    if (!waiting.has(ctr.name) || waiting.get(ctr.name)!.reason === 'CrashLoopBackOff') waiting.set(ctr.name, { reason: 'ContainerCreating' });
    let id: string;
    try {
      const imageRef = await this.d.images.ensure(pod, ctr, (type, reason, message) => this.d.events.event(pod, type, reason, message));
      const config = await this.d.spec.containerConfig(pod, ctr, { attempt, imageRef, podIPs, sandboxConfig: sandboxCfg });
      try {
        id = await this.d.cri.createContainer(sandboxId, config, sandboxCfg);
      } catch (e) {
        throw new ContainerStartError('CreateContainerError', (e as Error).message);
      }
      this.d.events.event(pod, 'Normal', 'Created', `Created container ${ctr.name}`);
      try {
        await this.d.cri.startContainer(id);
      } catch (e) {
        await this.d.cache.refresh();
        throw new ContainerStartError('RunContainerError', (e as Error).message);
      }
    } catch (e) {
      const err = e instanceof ContainerStartError ? e : new ContainerStartError('CreateContainerError', (e as Error).message);
      waiting.set(ctr.name, { reason: err.reason, message: err.message });
      const imageError = ['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName'].includes(err.reason);
      this.d.events.event(pod, 'Warning', imageError ? 'Failed' : err.eventReason, `Error: ${imageError ? err.reason : err.message}`);
      this.d.log.debug(`${podKey(pod)} container ${ctr.name}: ${err.reason}: ${err.message}`);
      return false;
    }
    waiting.delete(ctr.name);
    this.d.events.event(pod, 'Normal', 'Started', `Started container ${ctr.name}`);
    if (ctr.lifecycle?.postStart) {
      const failed = await this.d.hooks.run('postStart', pod, ctr, { id, podIP: podIPs[0] }, this.grace(pod) * 1000);
      if (failed) {
        this.d.events.event(pod, 'Warning', 'FailedPostStartHook', 'PostStartHook failed');
        this.d.log.info(`${podKey(pod)} container ${ctr.name}: ${failed}`);
        await this.d.cri.stopContainer(id, this.grace(pod)).catch(() => undefined);
      }
    }
    await this.d.cache.refresh();
    return true;
  }

  private grace(pod: KObject): number {
    return pod.metadata.deletionGracePeriodSeconds ?? specOf(pod).terminationGracePeriodSeconds ?? 30;
  }

  private async stopContainer(pod: KObject | undefined, ctr: PodContainer | undefined, c: ContainerInfo, graceSec: number): Promise<void> {
    const started = Date.now();
    if (pod && ctr?.lifecycle?.preStop && c.state === 'CONTAINER_RUNNING') {
      const failed = await this.d.hooks.run('preStop', pod, ctr, { id: c.id, podIP: this.d.cache.pod(pod.metadata.uid!)?.sandboxes[0]?.ip }, graceSec * 1000);
      if (failed) this.d.events.event(pod, 'Warning', 'FailedPreStopHook', 'PreStopHook failed');
    }
    const left = Math.max(graceSec === 0 ? 0 : 2, graceSec - Math.floor((Date.now() - started) / 1000));
    this.d.probes.forgetContainer(c.id);
    await this.d.cri.stopContainer(c.id, left);
  }

  /** Stops every container of the pod (preStop hooks and grace period) and its sandboxes. */
  async terminate(pod: KObject | undefined, rt: PodRuntime | undefined, graceSec: number): Promise<void> {
    if (!rt) return;
    const spec = pod ? specOf(pod) : {};
    const byName = new Map([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => [c.name, c]));
    await Promise.all(rt.containers.filter((c) => c.state === 'CONTAINER_RUNNING').map(async (c) => {
      if (pod) this.d.events.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
      await this.stopContainer(pod, byName.get(c.name), c, graceSec).catch((e) => this.d.log.warn(`stop container ${c.id}: ${(e as Error).message}`));
    }));
    for (const s of rt.sandboxes) if (s.state === 'SANDBOX_READY') await this.d.cri.stopPodSandbox(s.id).catch((e) => this.d.log.warn(`stop sandbox ${s.id}: ${(e as Error).message}`));
    if (pod) this.d.probes.forgetPod(pod.metadata.uid!);
  }

  /** Removes everything the runtime holds for the pod, then its volumes and cgroups. */
  async remove(uid: string, rt: PodRuntime | undefined): Promise<void> {
    for (const c of rt?.containers ?? []) await this.d.cri.removeContainer(c.id).catch(() => undefined);
    for (const s of rt?.sandboxes ?? []) await this.d.cri.removePodSandbox(s.id).catch(() => undefined);
    await this.d.volumes.tearDown(uid).catch((e) => this.d.log.warn(`tear down volumes of pod ${uid}: ${(e as Error).message}`));
    await this.d.cgroups.removePod(uid).catch(() => undefined);
    this.d.probes.forgetPod(uid);
    this.waiting.delete(uid);
    this.backoff.forgetPrefix(`${uid}/`);
  }

  private async stopRuntimePod(rt: PodRuntime | undefined, graceSec: number): Promise<void> {
    if (!rt) return;
    await Promise.all(rt.containers.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => this.d.cri.stopContainer(c.id, graceSec).catch(() => undefined)));
    for (const s of rt.sandboxes) if (s.state === 'SANDBOX_READY') await this.d.cri.stopPodSandbox(s.id).catch(() => undefined);
  }

  /** Every container ran and none will be restarted (restartPolicy Never/OnFailure). */
  private allDone(pod: KObject, rt: PodRuntime): boolean {
    const spec = specOf(pod);
    return (spec.containers ?? []).every((c) => {
      const cur = rt.containers.find((x) => x.name === c.name);
      return cur && cur.state === 'CONTAINER_EXITED' && (spec.restartPolicy === 'Never' || cur.exitCode === 0);
    });
  }

  /** Removes exited containers beyond the newest two per name, and dead sandboxes that are not the newest. */
  async collectGarbage(rt: PodRuntime): Promise<void> {
    const seen = new Map<string, number>();
    for (const c of rt.containers) {
      const n = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, n);
      if (n > 2 && c.state === 'CONTAINER_EXITED') await this.d.cri.removeContainer(c.id).catch(() => undefined);
    }
    for (const s of rt.sandboxes.slice(1)) {
      if (s.state === 'SANDBOX_READY' || rt.containers.some((c) => c.sandboxId === s.id)) continue;
      await this.d.cri.removePodSandbox(s.id).catch(() => undefined);
    }
  }
}

function waitingOf(s: PodSyncer, uid: string): Map<string, Waiting> {
  return s.waitingOf(uid);
}

function formatDelay(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}
