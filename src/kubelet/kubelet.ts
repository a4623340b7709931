// The kubelet: registers the node, watches the pods bound to it and makes the container
// runtime match them through CRI, reporting status back. Everything stops when the signal
// aborts; containers keep running (a restarted kubelet adopts them).
import { join } from 'node:path';
import type { KObject } from '../api/types.js';
import type { Logger } from '../util/log.js';
import { sleep } from '../util/sleep.js';
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
import type { ImageService } from './pod-deps.js';
import { VolumeManager } from './volumes/volume-manager.js';
import { KubeletSpecBuilder } from './spec-builder.js';
import { ProbeManager } from './probe-manager.js';
import { Prober } from './spec/probes.js';
import { Hooks } from './hooks.js';
import { PodCgroups } from './cgroups.js';
import { resources } from './node-status.js';
import { StaticPods } from './static-pods.js';
import { evictionMessage, pickVictim } from './eviction.js';
import type { Signal } from './eviction.js';
import { LABEL_POD_UID } from './runtime-cache.js';
import { rotateAll } from './log-rotation.js';

export interface KubeletParts {
  images: ImageService;
}

export interface RunningKubelet {
  /** Settles once the node is registered. */
  registered: Promise<void>;
  /** Settles when everything has stopped after the signal aborted. */
  done: Promise<void>;
  cache: RuntimeCache;
  pods: Informer;
  waitingOf: PodSyncer['waitingOf'];
}

export function runKubelet(cfg: KubeletConfig, client: RestClient, cri: CriClient, parts: KubeletParts, log: Logger, signal: AbortSignal): RunningKubelet {
  const cache = new RuntimeCache(cri);
  const events = new EventRecorder(client, { component: 'kubelet', host: cfg.nodeName }, log);
  const pods = new Informer(client, { group: '', version: 'v1', resource: 'pods', fieldSelector: `spec.nodeName=${cfg.nodeName}`, onError: (m) => log.debug(`pods informer: ${m}`) });
  const kubeVersion = /^v?(\d+\.\d+)/.exec(cfg.version)?.[1] ?? '1.32';
  const volumes = new VolumeManager({ client, podsDir: join(cfg.rootDir, 'pods'), nodeName: cfg.nodeName, log: log.child('volumes') });
  const spec = new KubeletSpecBuilder({ cfg, client, cri, events, mounts: (p, c, env) => volumes.mounts(p as never, c as never, env), allocatable: () => resources(cfg).allocatable });
  const probes = new ProbeManager(new Prober({ cri, kubeVersion }), cache, events, signal);
  const syncer = new PodSyncer({ cri, cache, images: parts.images, volumes, spec, probes, hooks: new Hooks(cri, events, kubeVersion), cgroups: new PodCgroups(), events, log });
  const failures = new Map<string, { reason: string; message: string }>();
  const workers = new PodWorkers({ client, pods, cache, syncer, probes, spec, nodeIp: cfg.nodeIp, log, failures }, signal);
  probes.onChange((uid) => workers.enqueue(uid));

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
  // Its own connections (upstream's heartbeat client): a busy node's pod traffic never delays the Lease.
  const heartbeat = new NodeHeartbeat(client.sibling(), cfg, health, images, log);

  pods.addHandler({
    onAdd: (p: KObject) => workers.enqueue(p.metadata.uid!),
    onUpdate: (_o: KObject, p: KObject) => workers.enqueue(p.metadata.uid!),
    onDelete: (p: KObject) => workers.enqueue(p.metadata.uid!),
  });

  const registered = heartbeat.register(signal);
  const staticPods = new StaticPods(client, cfg.podManifestsDir, cfg.nodeName, pods, () => heartbeat.node?.metadata.uid, log.child('static-pods'));

  // Node-pressure eviction: one pod per check while a hard threshold is crossed.
  const evictIfNeeded = async () => {
    const mem = memoryAvailableBytes();
    const disk = fsBytes(cfg.rootDir);
    const starved: { signal: Signal; threshold: number; available: number } | undefined =
      mem < cfg.evictionHard.memoryAvailableBytes ? { signal: 'memory', threshold: cfg.evictionHard.memoryAvailableBytes, available: mem }
        : disk.capacity > 0 && disk.available / disk.capacity < cfg.evictionHard.nodefsAvailableFraction ? { signal: 'ephemeral-storage', threshold: disk.capacity * cfg.evictionHard.nodefsAvailableFraction, available: disk.available }
          : undefined;
    if (!starved) return;
    const usage = new Map<string, number>();
    for (const st of await cri.listContainerStats()) {
      const uid = st.attributes?.labels[LABEL_POD_UID];
      if (!uid) continue;
      const bytes = starved.signal === 'memory' ? Number(st.memory?.workingSetBytes?.value ?? 0) : Number(st.writableLayer?.usedBytes?.value ?? 0);
      usage.set(uid, (usage.get(uid) ?? 0) + bytes);
    }
    const victim = pickVictim(pods.list().filter((p) => !failures.has(p.metadata.uid!)).map((p) => ({ pod: p, usage: usage.get(p.metadata.uid!) ?? 0 })), starved.signal);
    if (!victim) return;
    const message = evictionMessage(starved.signal, starved.threshold, starved.available, victim);
    log.warn(`evicting pod ${victim.pod.metadata.namespace}/${victim.pod.metadata.name}: ${message}`);
    failures.set(victim.pod.metadata.uid!, { reason: 'Evicted', message });
    events.event(victim.pod, 'Warning', 'Evicted', message);
    workers.enqueue(victim.pod.metadata.uid!);
  };

  const relistLoop = async () => {
    let lastResync = 0;
    while (!signal.aborted) {
      try {
        const changed = await cache.relist();
        for (const uid of changed) workers.enqueue(uid);
        if (Date.now() - lastResync > 10_000 && pods.hasSynced) {
          lastResync = Date.now();
          workers.resyncAll();
          await evictIfNeeded().catch((e) => log.warn(`eviction: ${(e as Error).message}`));
          await rotateAll(cri, cache, (uid, path) => {
            if (path.startsWith('/')) return path;
            const p = cache.pod(uid);
            return p ? join(cfg.podLogsDir, `${p.namespace}_${p.name}_${uid}`, path) : undefined;
          }).catch((e) => log.debug(`log rotation: ${(e as Error).message}`));
          // Asked per pod at teardown time: a pod that arrives meanwhile keeps its volumes.
          const isActive = (uid: string) => pods.list().some((p) => p.metadata.uid === uid) || cache.all().some((p) => p.uid === uid);
          await volumes.cleanupOrphans(isActive).catch((e) => log.debug(`volume cleanup: ${(e as Error).message}`));
        }
      } catch (e) {
        log.debug(`relist: ${(e as Error).message}`);
      }
      await sleep(cfg.relistMs, signal);
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
      volumes.run(signal),
      staticPods.run(signal),
    ]);
    workers.stop();
    await events.flush();
  })();
  return { registered, done, cache, pods, waitingOf: (uid) => syncer.waitingOf(uid) };
}
