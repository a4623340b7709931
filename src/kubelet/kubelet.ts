// The kubelet: registers the node, watches the pods bound to it and makes the container
// runtime match them through CRI, reporting status back. Everything stops when the signal
// aborts; containers keep running (a restarted kubelet adopts them).
import type { KObject } from '../api/types.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { Informer } from '../client/informer.js';
import { EventRecorder } from '../client/events.js';
import type { KubeletConfig } from './config.js';
import type { CriClient } from './cri/client.js';
import { RuntimeCache } from './runtime-cache.js';
import { PodSyncer } from './pod-sync.js';
import { PodWorkers } from './pod-workers.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import type { Health } from './node-status.js';
import { fsBytes, memoryAvailableBytes } from './node-status.js';
import type { CgroupService, HookService, ImageService, ProbeService, SpecBuilder, VolumeService } from './pod-deps.js';

export interface KubeletParts {
  images: ImageService;
  volumes: VolumeService & { cleanupOrphans?(active: Iterable<string>): Promise<string[]>; run?(signal: AbortSignal): Promise<void> };
  spec: SpecBuilder;
  probes: ProbeService & { onChange?: (cb: (podUid: string) => void) => void };
  hooks: HookService;
  cgroups: CgroupService;
}

export interface RunningKubelet {
  /** Settles once the node is registered. */
  registered: Promise<void>;
  /** Settles when everything has stopped after the signal aborted. */
  done: Promise<void>;
  cache: RuntimeCache;
  pods: Informer;
}

export function runKubelet(cfg: KubeletConfig, client: RestClient, cri: CriClient, parts: KubeletParts, log: Logger, signal: AbortSignal): RunningKubelet {
  const cache = new RuntimeCache(cri);
  const events = new EventRecorder(client, { component: 'kubelet', host: cfg.nodeName }, log);
  const pods = new Informer(client, { group: '', version: 'v1', resource: 'pods', fieldSelector: `spec.nodeName=${cfg.nodeName}`, onError: (m) => log.debug(`pods informer: ${m}`) });
  const syncer = new PodSyncer({ cri, cache, ...parts, events, log });
  const failures = new Map<string, { reason: string; message: string }>();
  const workers = new PodWorkers({ client, pods, cache, syncer, probes: parts.probes, spec: parts.spec, nodeIp: cfg.nodeIp, log, failures }, signal);
  parts.probes.onChange?.((uid) => workers.enqueue(uid));

  let runtimeVersion = 'containerd://unknown';
  const health = async (): Promise<Health> => {
    let runtimeReady = false;
    let networkReady = false;
    let runtimeMessage = '';
    try {
      const v = await cri.version();
      runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
      const conds = await cri.status();
      runtimeReady = conds.find((c) => c.type === 'RuntimeReady')?.status ?? false;
      const net = conds.find((c) => c.type === 'NetworkReady');
      networkReady = net?.status ?? false;
      if (!runtimeReady) runtimeMessage = 'container runtime status check may not have completed yet';
      else if (!networkReady) runtimeMessage = `container runtime network not ready: NetworkReady=false reason:${net?.reason ?? ''} message:${net?.message ?? ''}`;
    } catch (e) {
      runtimeMessage = `container runtime is down: ${(e as Error).message}`;
    }
    const disk = fsBytes(cfg.rootDir);
    return {
      runtimeReady,
      networkReady,
      runtimeMessage,
      memoryPressure: memoryAvailableBytes() < cfg.evictionHard.memoryAvailableBytes,
      diskPressure: disk.capacity > 0 && disk.available / disk.capacity < cfg.evictionHard.nodefsAvailableFraction,
      runtimeVersion,
    };
  };
  const images = async () => (await cri.listImages()).map((i) => ({ names: [...i.repoTags, ...i.repoDigests], sizeBytes: Number(i.size) }));
  const heartbeat = new NodeHeartbeat(client, cfg, health, images, log);

  pods.addHandler({
    onAdd: (p: KObject) => workers.enqueue(p.metadata.uid!),
    onUpdate: (_o: KObject, p: KObject) => workers.enqueue(p.metadata.uid!),
    onDelete: (p: KObject) => workers.enqueue(p.metadata.uid!),
  });

  const registered = heartbeat.register(signal);
  const sleep = (ms: number) => new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true });
  });

  const relistLoop = async () => {
    let lastResync = 0;
    while (!signal.aborted) {
      try {
        const changed = await cache.relist();
        for (const uid of changed) workers.enqueue(uid);
        if (Date.now() - lastResync > 10_000 && pods.hasSynced) {
          lastResync = Date.now();
          workers.resyncAll();
          const active = new Set(pods.list().map((p) => p.metadata.uid!));
          for (const p of cache.all()) active.add(p.uid);
          await parts.volumes.cleanupOrphans?.(active).catch((e) => log.debug(`volume cleanup: ${(e as Error).message}`));
        }
      } catch (e) {
        log.debug(`relist: ${(e as Error).message}`);
      }
      await sleep(cfg.relistMs);
    }
  };

  const done = (async () => {
    await registered;
    // Adopt what the runtime already runs before acting on the API's pods.
    await cache.relist().catch(() => undefined);
    await Promise.all([
      pods.run(signal),
      heartbeat.run(signal),
      relistLoop(),
      parts.volumes.run?.(signal),
    ]);
    workers.stop();
    await events.flush();
  })();
  return { registered, done, cache, pods };
}
