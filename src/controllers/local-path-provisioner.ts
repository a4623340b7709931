// The local-path provisioner (k3s's rancher.io/local-path): for a claim of a class with that
// provisioner, once the scheduler has picked a node (volume.kubernetes.io/selected-node), create a
// PersistentVolume on that node — a hostPath `<storage dir>/pvc-<uid>_<ns>_<name>` (DirectoryOrCreate,
// so the node's kubelet makes the directory at mount time), node affinity to the node, the claim's
// size and access modes, and a claimRef so the PV binder binds exactly this claim.
// The storage directory comes from the `local-path-config` ConfigMap in kube-system (k3s's format);
// deleting released volumes is the kubelet's job on the PV's node (it owns the directory).
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';
import { splitKey } from '../client/informer.js';
import { Controller } from '../client/controller.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { waitForCacheSync } from './util/sync.js';
import { claimClass, type PV, type PVC } from './util/volume-match.js';
import { SELECTED_NODE } from './pv-binder.js';

export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const LOCAL_PATH_CONFIG = 'local-path-config';
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** The node the volume lives on, as k3s's provisioner records it. */
export const LOCAL_PATH_NODE = 'local.path.provisioner/selected-node';
const DEFAULT_NODE_KEY = 'DEFAULT_PATH_FOR_NON_LISTED_NODES';

type StorageClass = KObject & { provisioner?: string; reclaimPolicy?: string; volumeBindingMode?: string };

interface PathConfig {
  nodePathMap?: { node: string; paths: string[] }[];
}

/** The storage directory for `node` in k3s's config.json (node entry, else the default entry). */
export function storageDirFor(configJson: string, node: string): string {
  let cfg: PathConfig;
  try {
    cfg = JSON.parse(configJson) as PathConfig;
  } catch (e) {
    throw new Error(`invalid ${LOCAL_PATH_CONFIG} config.json: ${(e as Error).message}`, { cause: e });
  }
  const entry = cfg.nodePathMap?.find((m) => m.node === node) ?? cfg.nodePathMap?.find((m) => m.node === DEFAULT_NODE_KEY);
  const dir = entry?.paths?.[0];
  if (!dir) throw new Error(`no local path available on node ${node} in ${LOCAL_PATH_CONFIG}`);
  if (!dir.startsWith('/')) throw new Error(`local path ${dir} for node ${node} must be absolute`);
  return dir.replace(/\/+$/, '');
}

export function localPathConfigJson(storageDir: string): string {
  return JSON.stringify({ nodePathMap: [{ node: DEFAULT_NODE_KEY, paths: [storageDir] }] }, null, 2);
}

/** The PV the provisioner creates for `pvc` on `node`. */
export function localPathVolume(pvc: PVC, sc: StorageClass, node: string, storageDir: string): PV {
  const ns = pvc.metadata.namespace!;
  const name = pvc.metadata.name!;
  const spec = (pvc.spec ?? {}) as { accessModes?: string[]; resources?: { requests?: { storage?: string } }; volumeMode?: string };
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pvc-${pvc.metadata.uid}`, annotations: { [PROVISIONED_BY]: LOCAL_PATH_PROVISIONER, [LOCAL_PATH_NODE]: node } },
    spec: {
      capacity: { storage: spec.resources?.requests?.storage ?? '0' },
      accessModes: spec.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata.name,
      volumeMode: 'Filesystem',
      hostPath: { path: `${storageDir}/pvc-${pvc.metadata.uid}_${ns}_${name}`, type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
    },
  } as PV;
}

export const localPathProvisionerController: ControllerDef = {
  name: 'local-path-provisioner',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client, recorder } = ctx;
    const pvcs = ctx.informers.informer<PVC>('', 'v1', 'persistentvolumeclaims');
    const pvs = ctx.informers.informer<PV>('', 'v1', 'persistentvolumes');
    const classes = ctx.informers.informer<StorageClass>('storage.k8s.io', 'v1', 'storageclasses');

    const storageDir = async (node: string): Promise<string> => {
      try {
        const cm = await client.get(resourcePath('', 'v1', 'configmaps', 'kube-system', LOCAL_PATH_CONFIG));
        const json = (cm.data as Record<string, string> | undefined)?.['config.json'];
        if (json) return storageDirFor(json, node);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
      return ctx.config.localPathStorageDir;
    };

    const controller = new Controller({ name: 'local-path-provisioner', log: ctx.log, workers: 2 }, async (key) => {
      const { namespace, name } = splitKey(key);
      const pvc = pvcs.get(namespace, name);
      if (!pvc || pvc.metadata.deletionTimestamp || pvc.spec?.volumeName) return;
      const sc = classes.get('', claimClass(pvc));
      if (sc?.provisioner !== LOCAL_PATH_PROVISIONER) return;
      if (pvs.get('', `pvc-${pvc.metadata.uid}`)) return;
      const node = pvc.metadata.annotations?.[SELECTED_NODE];
      if (!node) {
        // k3s's provisioner cannot pick a node itself: its class must wait for the first consumer.
        if (sc.volumeBindingMode !== 'WaitForFirstConsumer') recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": configuration error, no node was specified`);
        return;
      }
      const spec = (pvc.spec ?? {}) as { accessModes?: string[]; volumeMode?: string };
      const why =
        spec.volumeMode === 'Block'
          ? 'only filesystem volumes are supported'
          : (spec.accessModes ?? []).some((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod')
            ? 'NodePath only supports ReadWriteOnce and ReadWriteOncePod access modes'
            : undefined;
      if (why) {
        recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${why}`);
        return;
      }
      recorder.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${namespace}/${name}"`);
      let dir: string;
      try {
        dir = await storageDir(node);
      } catch (e) {
        recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${(e as Error).message}`);
        throw e;
      }
      const pv = localPathVolume(pvc, sc, node, dir);
      try {
        await client.create(resourcePath('', 'v1', 'persistentvolumes'), pv);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
        return;
      }
      recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata.name}`);
    });

    const enqueue = (c: PVC) => controller.enqueue(`${c.metadata.namespace}/${c.metadata.name}`);
    pvcs.addHandler({ onAdd: enqueue, onUpdate: (_o, c) => enqueue(c) });
    classes.addHandler({ onAdd: () => pvcs.list().forEach(enqueue) });
    if (!(await waitForCacheSync([pvcs, pvs, classes], signal))) return;
    await controller.run(signal);
  },
};
