// The node half of local-path storage: when a volume the local-path provisioner made for this node
// is Released with reclaim policy Delete, remove its directory and then the PersistentVolume.
// Only directories directly under this node's storage dir are ever removed, so a PV pointing
// elsewhere (hand-written, or another node's layout) cannot make the kubelet delete host data.
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Logger } from '../../util/log.js';
import { unmount, mountsUnder } from './tmpfs.js';

const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
const LOCAL_PATH_NODE = 'local.path.provisioner/selected-node';

type PV = KObject & {
  spec?: { hostPath?: { path?: string }; persistentVolumeReclaimPolicy?: string; nodeAffinity?: { required?: { nodeSelectorTerms?: { matchExpressions?: { key: string; values?: string[] }[] }[] } } };
  status?: { phase?: string };
};

export interface LocalPathReclaimerOptions {
  client: RestClient;
  nodeName: string;
  /** `<data-dir>/storage` */
  storageDir: string;
  log: Logger;
}

/** The directory to delete for `pv` on this node, or undefined when it is not ours to delete. */
export function reclaimablePath(pv: PV, nodeName: string, storageDir: string): string | undefined {
  if (pv.metadata.annotations?.[PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) return undefined;
  if (pv.status?.phase !== 'Released' || (pv.spec?.persistentVolumeReclaimPolicy ?? 'Delete') !== 'Delete') return undefined;
  if (volumeNode(pv) !== nodeName) return undefined;
  const p = pv.spec?.hostPath?.path;
  if (!p) return undefined;
  const abs = resolve(p);
  if (dirname(abs) !== resolve(storageDir) || !/^pvc-[^/]+$/.test(abs.slice(dirname(abs).length + 1))) return undefined;
  return abs;
}

function volumeNode(pv: PV): string | undefined {
  const ann = pv.metadata.annotations?.[LOCAL_PATH_NODE];
  if (ann) return ann;
  for (const t of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of t.matchExpressions ?? []) if (e.key === 'kubernetes.io/hostname' && e.values?.length === 1) return e.values[0];
  }
  return undefined;
}

export class LocalPathReclaimer {
  private readonly inFlight = new Set<string>();

  constructor(private readonly opts: LocalPathReclaimerOptions) {}

  /** Watches PersistentVolumes until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const pvs = new Informer<PV>(this.opts.client, { group: '', version: 'v1', resource: 'persistentvolumes', resyncMs: 60_000, onError: (m) => this.opts.log.warn(`persistentvolumes watch: ${m}`) });
    const check = (pv: PV) => void this.reclaim(pv);
    pvs.addHandler({ onAdd: check, onUpdate: (_o, pv) => check(pv) });
    await pvs.run(signal);
  }

  /** Deletes the volume's directory, then the PV (uid precondition). No-op for volumes not ours. */
  async reclaim(pv: PV): Promise<boolean> {
    const dir = reclaimablePath(pv, this.opts.nodeName, this.opts.storageDir);
    if (!dir || this.inFlight.has(pv.metadata.uid!)) return false;
    this.inFlight.add(pv.metadata.uid!);
    try {
      for (const mp of await mountsUnder(dir)) await unmount(mp);
      await rm(dir, { recursive: true, force: true });
      try {
        await this.opts.client.delete(`/api/v1/persistentvolumes/${encodeURIComponent(pv.metadata.name!)}`, { preconditions: { uid: pv.metadata.uid } });
      } catch (e) {
        if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
      }
      this.opts.log.info(`deleted local-path volume ${pv.metadata.name} (${dir})`);
      return true;
    } catch (e) {
      this.opts.log.warn(`reclaiming ${pv.metadata.name}: ${(e as Error).message}`);
      return false;
    } finally {
      this.inFlight.delete(pv.metadata.uid!);
    }
  }
}
