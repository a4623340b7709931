// The kubelet's volume manager: prepares a pod's volumes before its containers are created
// (`<podsDir>/<uid>/volumes/<plugin>/<name>`, upstream's layout), answers which CRI mounts each
// container gets, keeps API-data volumes (configMap, secret, downwardAPI, projected) current with
// a periodic refresh, and tears everything down when the pod is gone.
//
// One pod's operations are serialized: a refresh and a set-up never write the same volume at once.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../api/types.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Logger } from '../../util/log.js';
import { configMapPlugin } from './configmap.js';
import { containerMounts, type EnvResolver, type PreparedVolume } from './container-mounts.js';
import { downwardApiPlugin, isMutableField, type DownwardItem } from './downward-api.js';
import { emptyDirPlugin } from './empty-dir.js';
import { hostPathPlugin } from './host-path.js';
import { persistentVolumeClaimPlugin } from './persistent-volume-claim.js';
import { projectedPlugin } from './projected.js';
import { secretPlugin } from './secret.js';
import { mountsUnder, unmount } from './tmpfs.js';
import { TokenCache } from './token-cache.js';
import { VolumeError, VolumeSetUpError, type Container, type Mount, type Pod, type Spec, type TokenSource, type VolumePlugin } from './types.js';

export const PLUGINS: VolumePlugin[] = [emptyDirPlugin, hostPathPlugin, configMapPlugin, secretPlugin, downwardApiPlugin, projectedPlugin, persistentVolumeClaimPlugin];

export interface VolumeManagerOptions {
  client: RestClient;
  /** `<data-dir>/agent/kubelet/pods` */
  podsDir: string;
  nodeName: string;
  log: Logger;
  /** How often API-data volumes are brought up to date. Default 60 s. */
  refreshPeriodMs?: number;
  /** Token issuer for serviceAccountToken projections; default: the TokenRequest API. */
  tokens?: TokenSource;
}

interface PodState {
  pod: Pod;
  volumes: Map<string, PreparedVolume & { plugin: VolumePlugin; spec: Spec }>;
}

export class VolumeManager {
  private readonly pods = new Map<string, PodState>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly tokens: TokenSource;
  private allocatable?: { at: number; value: Record<string, string> };

  constructor(private readonly opts: VolumeManagerOptions) {
    this.tokens = opts.tokens ?? new TokenCache(opts.client);
  }

  /** Prepares every volume of `pod`; throws VolumeSetUpError listing each volume that failed. */
  async setUp(obj: KObject, signal?: AbortSignal): Promise<void> {
    const pod = obj as Pod;
    const uid = podUid(pod);
    await this.serialized(uid, async () => {
      const state = this.pods.get(uid) ?? { pod, volumes: new Map() };
      state.pod = pod;
      this.pods.set(uid, state);
      const failures: VolumeError[] = [];
      for (const vol of pod.spec.volumes ?? []) {
        signal?.throwIfAborted();
        const name = String(vol.name);
        const prev = state.volumes.get(name);
        // Non-API volumes are set up once; API-data ones are rewritten (a no-op when unchanged).
        if (prev && !prev.plugin.refreshable) continue;
        try {
          state.volumes.set(name, await this.setUpOne(pod, vol));
        } catch (e) {
          failures.push(e instanceof VolumeError ? e : new VolumeError(name, (e as Error).message));
        }
      }
      if (failures.length) {
        for (const f of failures) this.opts.log.warn(`pod ${pod.metadata.namespace}/${pod.metadata.name}: ${f.message}`);
        throw new VolumeSetUpError(failures);
      }
    });
  }

  /** The CRI mounts of one container; the pod's volumes must have been set up. */
  mounts(obj: KObject, container: Container, resolveEnv?: EnvResolver): Mount[] {
    const pod = obj as Pod;
    const state = this.pods.get(podUid(pod));
    return containerMounts(pod, container, state?.volumes ?? new Map(), resolveEnv);
  }

  /** Unmounts and removes the pod's volumes (`<podsDir>/<uid>/volumes`). Idempotent. */
  async tearDown(uid: string): Promise<void> {
    await this.serialized(uid, () => this.tearDownLocked(uid));
  }

  private async tearDownLocked(uid: string): Promise<void> {
    const podDir = join(this.opts.podsDir, uid);
    for (const mp of await mountsUnder(podDir)) await unmount(mp);
    const left = await mountsUnder(podDir);
    // Never delete through a mount that would not go away.
    if (left.length) throw new Error(`cannot remove volumes of pod ${uid}: still mounted: ${left.join(', ')}`);
    await rm(join(podDir, 'volumes'), { recursive: true, force: true });
    this.pods.delete(uid);
    (this.tokens as Partial<TokenCache>).forgetPod?.(uid);
  }

  /** Whether `setUp` has prepared this pod's volumes (false after a kubelet restart or a teardown). */
  isSetUp(uid: string): boolean {
    return this.pods.has(uid);
  }

  /**
   * Tears down and removes the directories of pods that are not active; returns their uids.
   * `isActive` is asked under each pod's lock, at the moment of the teardown: a pod that arrived
   * since the caller looked (its volumes being set up) is never torn down from under it.
   */
  async cleanupOrphans(isActive: (uid: string) => boolean): Promise<string[]> {
    const entries = await readdir(this.opts.podsDir).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const uid of entries) {
      if (isActive(uid)) continue;
      try {
        const gone = await this.serialized(uid, async () => {
          if (isActive(uid)) return false;
          await this.tearDownLocked(uid);
          await rm(join(this.opts.podsDir, uid), { recursive: true, force: true });
          return true;
        });
        if (gone) removed.push(uid);
      } catch (e) {
        this.opts.log.warn(`orphaned pod ${uid}: ${(e as Error).message}`);
      }
    }
    for (const uid of [...this.pods.keys()]) {
      if (removed.includes(uid)) continue;
      await this.serialized(uid, async () => {
        if (!isActive(uid)) this.pods.delete(uid);
      });
    }
    return removed;
  }

  /** Rewrites every API-data volume of every set-up pod (unchanged content is not rewritten). */
  async refresh(): Promise<void> {
    for (const [uid, state] of [...this.pods]) {
      await this.serialized(uid, async () => {
        if (this.pods.get(uid) !== state) return;
        if (needsFreshPod(state.pod)) {
          const ns = encodeURIComponent(state.pod.metadata.namespace!);
          const fresh = await this.opts.client.get<Pod>(`/api/v1/namespaces/${ns}/pods/${encodeURIComponent(state.pod.metadata.name!)}`).catch(() => undefined);
          if (fresh?.metadata.uid === uid) state.pod = fresh;
        }
        for (const [name, v] of state.volumes) {
          if (!v.plugin.refreshable) continue;
          try {
            await this.setUpOne(state.pod, v.spec);
          } catch (e) {
            this.opts.log.warn(`pod ${state.pod.metadata.namespace}/${state.pod.metadata.name}: refresh of volume "${name}": ${(e as Error).message}`);
          }
        }
      });
    }
  }

  /** Refreshes every `refreshPeriodMs` until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const period = this.opts.refreshPeriodMs ?? 60_000;
    while (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, period);
        signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
      if (signal.aborted) break;
      await this.refresh().catch((e) => this.opts.log.warn(`volume refresh: ${(e as Error).message}`));
    }
  }

  private async setUpOne(pod: Pod, vol: Spec): Promise<PreparedVolume & { plugin: VolumePlugin; spec: Spec }> {
    const name = String(vol.name);
    const plugin = PLUGINS.find((p) => vol[p.source] !== undefined && vol[p.source] !== null);
    if (!plugin) {
      const kind = Object.keys(vol).find((k) => k !== 'name') ?? 'none';
      throw new VolumeError(name, `volume type "${kind}" is not supported by this node`);
    }
    const dir = join(this.opts.podsDir, podUid(pod), 'volumes', plugin.dirName, name);
    if (plugin !== hostPathPlugin && plugin !== persistentVolumeClaimPlugin) await mkdir(join(dir, '..'), { recursive: true, mode: 0o750 });
    const hostPath = await plugin.setUp({ pod, volume: vol, dir, client: this.opts.client, tokens: this.tokens, nodeAllocatable: () => this.nodeAllocatable(), log: this.opts.log });
    const claimReadOnly = Boolean((vol.persistentVolumeClaim as { readOnly?: boolean } | undefined)?.readOnly);
    return { hostPath, readOnly: plugin.alwaysReadOnly || claimReadOnly, plugin, spec: vol };
  }

  private async nodeAllocatable(): Promise<Record<string, string>> {
    if (this.allocatable && Date.now() - this.allocatable.at < 60_000) return this.allocatable.value;
    let value: Record<string, string> = { cpu: String(cpus().length), memory: String(totalmem()) };
    try {
      const node = await this.opts.client.get(`/api/v1/nodes/${encodeURIComponent(this.opts.nodeName)}`);
      value = { ...value, ...((node.status as { allocatable?: Record<string, string> } | undefined)?.allocatable ?? {}) };
    } catch {
      // The node object may not be registered yet: the machine's own figures stand in.
    }
    this.allocatable = { at: Date.now(), value };
    return value;
  }

  private serialized<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(uid) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(uid, tail);
    void tail.then(() => {
      if (this.locks.get(uid) === tail) this.locks.delete(uid);
    });
    return next;
  }
}

function podUid(pod: Pod): string {
  const uid = pod.metadata.uid;
  if (!uid || uid.includes('/') || uid.startsWith('.')) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name} has no valid uid`);
  return uid;
}

function needsFreshPod(pod: Pod): boolean {
  for (const v of pod.spec.volumes ?? []) {
    const items: DownwardItem[] = [
      ...((v.downwardAPI as { items?: DownwardItem[] } | undefined)?.items ?? []),
      ...((v.projected as { sources?: { downwardAPI?: { items?: DownwardItem[] } }[] } | undefined)?.sources ?? []).flatMap((s) => s.downwardAPI?.items ?? []),
    ];
    if (items.some(isMutableField)) return true;
  }
  return false;
}
