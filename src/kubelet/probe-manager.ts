// The kubelet's probes: one ProbeWorker per running container and probe kind, results kept by
// container ID, and a callback so the pod is synced when a result changes (a liveness failure
// restarts the container; readiness flips the Ready condition).
import type { KObject } from '../api/types.js';
import type { EventRecorder } from '../client/events.js';
import type { PodContainer, ProbeService } from './pod-deps.js';
import type { ContainerInfo, RuntimeCache } from './runtime-cache.js';
import type { ProbeKind, ProbeResultKind, Prober } from './spec/probes.js';
import { ProbeWorker, probeSpec } from './spec/probe-worker.js';
import type { Container, Pod } from './spec/types.js';

interface Entry {
  podUid: string;
  abort: AbortController;
  results: Map<ProbeKind, ProbeResultKind>;
  kinds: Set<ProbeKind>;
}

const KINDS: ProbeKind[] = ['startup', 'liveness', 'readiness'];

export class ProbeManager implements ProbeService {
  private readonly containers = new Map<string, Entry>();
  private listeners: ((podUid: string) => void)[] = [];

  constructor(
    private readonly prober: Pick<Prober, 'probe'>,
    private readonly cache: RuntimeCache,
    private readonly events: EventRecorder,
    private readonly signal: AbortSignal,
    private readonly secondMs = 1000,
  ) {}

  onChange(cb: (podUid: string) => void): void {
    this.listeners.push(cb);
  }

  ensure(pod: KObject, container: PodContainer, info: ContainerInfo, podIP: string | undefined): void {
    if (this.containers.has(info.id) || this.signal.aborted) return;
    const c = container as unknown as Container;
    const kinds = new Set(KINDS.filter((k) => probeSpec(c, k)));
    const entry: Entry = { podUid: pod.metadata.uid!, abort: new AbortController(), results: new Map(), kinds };
    this.containers.set(info.id, entry);
    if (!kinds.size) return;
    const signal = AbortSignal.any([this.signal, entry.abort.signal]);
    for (const kind of kinds) {
      const worker = new ProbeWorker({
        pod: pod as Pod,
        container: c,
        kind,
        prober: this.prober,
        secondMs: this.secondMs,
        status: () => {
          const cur = this.cache.pod(entry.podUid)?.containers.find((x) => x.id === info.id);
          const p = this.cache.pod(entry.podUid);
          return {
            podIP: p?.sandboxes[0]?.ip ?? podIP ?? '',
            container: cur ? { id: cur.id, running: cur.state === 'CONTAINER_RUNNING', startedAt: cur.startedAt, started: this.startupPassed(cur.id), terminated: cur.state === 'CONTAINER_EXITED' } : undefined,
          };
        },
        onResult: (u) => {
          if (u.containerId !== info.id) return;
          entry.results.set(kind, u.result);
          for (const l of this.listeners) l(entry.podUid);
        },
        onEvent: (e) => this.events.event(pod, e.type, e.reason, e.message),
      });
      void worker.run(signal).catch(() => undefined);
    }
  }

  private startupPassed(id: string): boolean {
    const e = this.containers.get(id);
    if (!e) return false;
    return !e.kinds.has('startup') || e.results.get('startup') === 'success';
  }

  started(info: ContainerInfo): boolean {
    return info.state === 'CONTAINER_RUNNING' && this.startupPassed(info.id);
  }

  ready(info: ContainerInfo): boolean {
    if (!this.started(info)) return false;
    const e = this.containers.get(info.id);
    if (!e) return false;
    return !e.kinds.has('readiness') || e.results.get('readiness') === 'success';
  }

  mustRestart(info: ContainerInfo): string | undefined {
    const e = this.containers.get(info.id);
    if (!e) return undefined;
    if (e.results.get('startup') === 'failure') return `Container ${info.name} failed startup probe, will be restarted`;
    if (e.results.get('liveness') === 'failure') return `Container ${info.name} failed liveness probe, will be restarted`;
    return undefined;
  }

  forgetContainer(id: string): void {
    this.containers.get(id)?.abort.abort();
    this.containers.delete(id);
  }

  forgetPod(uid: string): void {
    for (const [id, e] of this.containers) if (e.podUid === uid) this.forgetContainer(id);
  }
}
