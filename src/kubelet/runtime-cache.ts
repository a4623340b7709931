// What the container runtime holds, grouped by pod UID, refreshed by relisting (containerd 1.6
// has no container events over CRI). Each relist compares the new picture with the last and
// reports the pods whose sandboxes or containers changed state, as upstream's PLEG does.
// Only what carries the kubelet's pod UID label is considered: other CRI clients' sandboxes are left alone.
import type { CriClient } from './cri/client.js';
import type { ContainerState, PodSandboxState } from './cri/types.js';
import { nanosToMillis } from './cri/types.js';

export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
export const ANNOTATION_CONTAINER_HASH = 'io.kubernetes.container.hash';

export interface SandboxInfo {
  id: string;
  attempt: number;
  state: PodSandboxState;
  createdAt: number;
  ip?: string;
  ips: string[];
}

export interface ContainerInfo {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  hash: string;
  logPath: string;
  annotations: Record<string, string>;
}

export interface PodRuntime {
  uid: string;
  name: string;
  namespace: string;
  /** Newest first. */
  sandboxes: SandboxInfo[];
  /** Newest first. */
  containers: ContainerInfo[];
}

export class RuntimeCache {
  private pods = new Map<string, PodRuntime>();
  /** Container statuses are only re-read when the container's state changed. */
  private containerDetails = new Map<string, ContainerInfo>();
  private sandboxIps = new Map<string, { ip?: string; ips: string[] }>();
  private relisting: Promise<Set<string>> | undefined;

  constructor(private readonly cri: CriClient) {}

  pod(uid: string): PodRuntime | undefined {
    return this.pods.get(uid);
  }
  all(): PodRuntime[] {
    return [...this.pods.values()];
  }

  /** Relists now (joining a relist in flight); resolves with the UIDs of pods that changed. */
  relist(): Promise<Set<string>> {
    this.relisting ??= this.doRelist().finally(() => (this.relisting = undefined));
    return this.relisting;
  }

  /**
   * A relist that starts after this call (not one already in flight, which may predate a change
   * the caller just made): what pod sync uses after creating or stopping something.
   */
  async refresh(): Promise<Set<string>> {
    if (this.relisting) await this.relisting.catch(() => undefined);
    return this.relist();
  }

  private async doRelist(): Promise<Set<string>> {
    const [sandboxes, containers] = await Promise.all([this.cri.listPodSandbox(), this.cri.listContainers()]);
    const next = new Map<string, PodRuntime>();
    const entry = (uid: string, labels: Record<string, string>): PodRuntime => {
      let p = next.get(uid);
      if (!p) next.set(uid, (p = { uid, name: labels[LABEL_POD_NAME] ?? '', namespace: labels[LABEL_POD_NAMESPACE] ?? '', sandboxes: [], containers: [] }));
      return p;
    };
    const liveSandboxes = new Set<string>();
    for (const s of sandboxes) {
      const uid = s.labels[LABEL_POD_UID];
      if (!uid) continue;
      liveSandboxes.add(s.id);
      let net = this.sandboxIps.get(s.id);
      if (!net && s.state === 'SANDBOX_READY') {
        try {
          const st = await this.cri.podSandboxStatus(s.id);
          net = { ip: st.status.network?.ip || undefined, ips: [st.status.network?.ip, ...(st.status.network?.additionalIps ?? []).map((a) => a.ip)].filter((x): x is string => !!x) };
          this.sandboxIps.set(s.id, net);
        } catch {
          net = undefined;
        }
      }
      entry(uid, s.labels).sandboxes.push({ id: s.id, attempt: s.metadata.attempt ?? 0, state: s.state, createdAt: nanosToMillis(s.createdAt), ip: net?.ip, ips: net?.ips ?? [] });
    }
    for (const id of [...this.sandboxIps.keys()]) if (!liveSandboxes.has(id)) this.sandboxIps.delete(id);

    const liveContainers = new Set<string>();
    await Promise.all(containers.map(async (c) => {
      const uid = c.labels[LABEL_POD_UID];
      if (!uid) return;
      liveContainers.add(c.id);
      let info = this.containerDetails.get(c.id);
      if (!info || info.state !== c.state) {
        try {
          info = await this.inspect(c.id);
        } catch {
          return; // removed meanwhile
        }
        info.sandboxId = c.podSandboxId;
        this.containerDetails.set(c.id, info);
      }
      entry(uid, c.labels).containers.push(info);
    }));
    for (const id of [...this.containerDetails.keys()]) if (!liveContainers.has(id)) this.containerDetails.delete(id);

    for (const p of next.values()) {
      // Ready first, then newest: the sandbox the pod runs in is sandboxes[0], whatever the timing.
      p.sandboxes.sort((a, b) => Number(b.state === 'SANDBOX_READY') - Number(a.state === 'SANDBOX_READY') || b.attempt - a.attempt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
      p.containers.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
    }
    const changed = new Set<string>();
    for (const [uid, p] of next) if (fingerprint(this.pods.get(uid)) !== fingerprint(p)) changed.add(uid);
    for (const uid of this.pods.keys()) if (!next.has(uid)) changed.add(uid);
    this.pods = next;
    return changed;
  }

  /** Reads one container's full status (also used right after starting it). */
  async inspect(id: string): Promise<ContainerInfo> {
    const { status: s } = await this.cri.containerStatus(id);
    const info: ContainerInfo = {
      id: s.id,
      sandboxId: '',
      name: s.metadata.name,
      attempt: s.metadata.attempt ?? 0,
      state: s.state,
      createdAt: nanosToMillis(s.createdAt),
      startedAt: nanosToMillis(s.startedAt),
      finishedAt: nanosToMillis(s.finishedAt),
      exitCode: s.exitCode,
      reason: s.reason,
      message: s.message,
      image: s.image?.image ?? '',
      imageRef: s.imageRef,
      hash: s.annotations[ANNOTATION_CONTAINER_HASH] ?? '',
      logPath: s.logPath,
      annotations: s.annotations,
    };
    info.sandboxId = this.containerDetails.get(id)?.sandboxId ?? '';
    return info;
  }
}

function fingerprint(p: PodRuntime | undefined): string {
  if (!p) return '';
  return [...p.sandboxes.map((s) => `${s.id}:${s.state}`), ...p.containers.map((c) => `${c.id}:${c.state}`)].join(',');
}
