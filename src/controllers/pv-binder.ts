// The PersistentVolume binder (upstream pkg/controller/volume/persistentvolume, its static part
// and the hook for dynamic provisioning). Keys are `claim:<ns>/<name>` and `volume:<name>`.
//  - Unbound claims get the best matching Available volume (util/volume-match.ts), or a pre-bound
//    one (claimRef / spec.volumeName); WaitForFirstConsumer classes wait for the scheduler's
//    volume.kubernetes.io/selected-node; with a class and no volume, the class's provisioner is
//    asked for one through the storage-provisioner annotations (ExternalProvisioning event) —
//    the provisioner of issue 5, or any external one, takes it from there.
//  - Volumes go Available → Bound → Released when their claim goes; Released volumes are deleted
//    (reclaim policy Delete, unless an external provisioner owns them) or kept (Retain).
import type { KObject } from '../api/types.js';
import { clone } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';
import { splitKey } from '../client/informer.js';
import { Controller } from '../client/controller.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { waitForCacheSync } from './util/sync.js';
import { claimClass, findMatchingVolume, isVolumeBoundToClaim, volumeMismatch, type PV, type PVC } from './util/volume-match.js';
import { BIND_COMPLETED, bind, setClaimPhase, setVolumePhase, unbindVolume } from './util/volume-binding.js';

export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** How often unbound claims are looked at again (upstream's --pvclaimbinder-sync-period). */
const RESYNC_MS = 15_000;

type StorageClass = KObject & { provisioner?: string; volumeBindingMode?: string; reclaimPolicy?: string };

function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

export const persistentVolumeBinderController: ControllerDef = {
  name: 'persistentvolume-binder',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client, recorder } = ctx;
    const pvs = ctx.informers.informer<PV>('', 'v1', 'persistentvolumes');
    const pvcs = ctx.informers.informer<PVC>('', 'v1', 'persistentvolumeclaims');
    const classes = ctx.informers.informer<StorageClass>('storage.k8s.io', 'v1', 'storageclasses');
    const nodes = ctx.informers.informer('', 'v1', 'nodes');

    /** The claim from the cache, confirmed live when missing (a stale cache must not release a volume). */
    const liveClaim = async (ns: string, name: string): Promise<PVC | undefined> => {
      const cached = pvcs.get(ns, name);
      if (cached) return cached;
      try {
        return await client.get<PVC>(resourcePath('', 'v1', 'persistentvolumeclaims', ns, name));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    };

    const provision = async (pvc: PVC): Promise<void> => {
      const cls = claimClass(pvc);
      const sc = classes.get('', cls);
      if (!sc) {
        recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${cls}" not found`);
        await setClaimPhase(client, pvc, 'Pending');
        return;
      }
      const provisioner = sc.provisioner ?? '';
      const ann = pvc.metadata.annotations ?? {};
      if (ann[STORAGE_PROVISIONER] !== provisioner || ann[BETA_STORAGE_PROVISIONER] !== provisioner) {
        const next = clone(pvc);
        next.metadata.annotations = { ...ann, [STORAGE_PROVISIONER]: provisioner, [BETA_STORAGE_PROVISIONER]: provisioner };
        pvc = await client.update<PVC>(resourcePath('', 'v1', 'persistentvolumeclaims', pvc.metadata.namespace, pvc.metadata.name), next);
      }
      recorder.event(pvc, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
      await setClaimPhase(client, pvc, 'Pending');
    };

    const syncUnboundClaim = async (pvc: PVC): Promise<boolean> => {
      const sc = classes.get('', claimClass(pvc));
      const delayBinding = sc?.volumeBindingMode === 'WaitForFirstConsumer';
      const selectedNode = pvc.metadata.annotations?.[SELECTED_NODE];
      const volumeName = pvc.spec?.volumeName;
      if (!volumeName) {
        const node = delayBinding && selectedNode ? nodes.get('', selectedNode) : undefined;
        const pv = findMatchingVolume(pvc, pvs.list(), delayBinding && !selectedNode, node);
        if (pv) {
          await bind(client, pv, pvc);
          return true;
        }
        if (delayBinding && !selectedNode) recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
        else if (claimClass(pvc) !== '') {
          await provision(pvc);
          return false;
        } else recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
        await setClaimPhase(client, pvc, 'Pending');
        return false;
      }
      const pv = pvs.get('', volumeName);
      if (!pv) {
        await setClaimPhase(client, pvc, 'Pending');
        return false;
      }
      if (!pv.spec?.claimRef) {
        const why = volumeMismatch(pv, pvc);
        if (why) {
          recorder.event(pvc, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`);
          await setClaimPhase(client, pvc, 'Pending');
          return false;
        }
        await bind(client, pv, pvc);
        return true;
      }
      if (isVolumeBoundToClaim(pv, pvc)) {
        await bind(client, pv, pvc);
        return true;
      }
      recorder.event(pvc, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
      await setClaimPhase(client, pvc, 'Pending');
      return false;
    };

    const syncBoundClaim = async (pvc: PVC): Promise<void> => {
      const volumeName = pvc.spec?.volumeName;
      if (!volumeName) {
        if (pvc.status?.phase !== 'Lost') recorder.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
        await setClaimPhase(client, pvc, 'Lost');
        return;
      }
      const pv = pvs.get('', volumeName);
      if (!pv) {
        if (pvc.status?.phase !== 'Lost') recorder.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
        await setClaimPhase(client, pvc, 'Lost');
        return;
      }
      if (!pv.spec?.claimRef || (isVolumeBoundToClaim(pv, pvc) && (!pv.spec.claimRef.uid || pv.spec.claimRef.uid === pvc.metadata.uid))) {
        await bind(client, pv, pvc);
        return;
      }
      if (pvc.status?.phase !== 'Lost') recorder.event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
      await setClaimPhase(client, pvc, 'Lost');
    };

    const reclaim = async (pv: PV): Promise<void> => {
      const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
      if (policy === 'Retain') return;
      if (policy === 'Recycle') {
        if (pv.status?.phase !== 'Failed') {
          recorder.event(pv, 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
          await setVolumePhase(client, pv, 'Failed', 'No recycler plugin found for the volume!');
        }
        return;
      }
      // Delete: a volume made by a provisioner is that provisioner's to delete (with its storage).
      if (pv.metadata.annotations?.[PROVISIONED_BY]) return;
      try {
        await client.delete(resourcePath('', 'v1', 'persistentvolumes', undefined, pv.metadata.name), { preconditions: { uid: pv.metadata.uid } });
        ctx.log.debug(`persistentvolume ${pv.metadata.name} released and deleted (reclaim policy Delete)`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    };

    const syncVolume = async (pv: PV): Promise<void> => {
      const ref = pv.spec?.claimRef;
      if (!ref || !ref.uid) {
        await setVolumePhase(client, pv, 'Available');
        if (ref?.name && ref.namespace) controller.enqueue(`claim:${ref.namespace}/${ref.name}`);
        return;
      }
      let claim = await liveClaim(ref.namespace ?? '', ref.name ?? '');
      if (claim && claim.metadata.uid !== ref.uid) claim = undefined;
      if (!claim) {
        if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') pv = await setVolumePhase(client, pv, 'Released');
        await reclaim(pv);
        return;
      }
      const volumeName = claim.spec?.volumeName;
      if (!volumeName) {
        // Binding in progress (or a user's pre-binding): the claim's sync finishes it.
        controller.enqueue(`claim:${ref.namespace}/${ref.name}`);
        return;
      }
      if (volumeName === pv.metadata.name) {
        await setVolumePhase(client, pv, 'Bound');
        return;
      }
      // The claim is bound to another volume: this one is free again.
      await unbindVolume(client, pv);
    };

    const enqueuePendingClaims = () => {
      for (const c of pvcs.list()) if (c.metadata.annotations?.[BIND_COMPLETED] !== 'yes') controller.enqueue(`claim:${c.metadata.namespace}/${c.metadata.name}`);
    };

    // One worker: two claims must not race for one volume on a stale cache (the loser would only
    // get a 409, but serial binding is what upstream does too).
    const controller = new Controller({ name: 'persistentvolume-binder', log: ctx.log, workers: 1 }, async (key) => {
      if (key.startsWith('volume:')) {
        const pv = pvs.get('', key.slice('volume:'.length));
        if (pv) await syncVolume(pv);
        return;
      }
      const { namespace, name } = splitKey(key.slice('claim:'.length));
      const pvc = pvcs.get(namespace, name);
      if (!pvc || pvc.metadata.deletionTimestamp) return;
      if (pvc.metadata.annotations?.[BIND_COMPLETED] === 'yes') return syncBoundClaim(pvc);
      const bound = await syncUnboundClaim(pvc);
      return bound ? undefined : { requeueAfterMs: RESYNC_MS };
    });

    pvs.addHandler({
      onAdd: (pv) => {
        controller.enqueue(`volume:${pv.metadata.name}`);
        enqueuePendingClaims();
      },
      onUpdate: (old, pv) => {
        controller.enqueue(`volume:${pv.metadata.name}`);
        if (old !== pv && pv.status?.phase === 'Available' && old.status?.phase !== 'Available') enqueuePendingClaims();
      },
      onDelete: (pv) => {
        const ref = pv.spec?.claimRef;
        if (ref?.namespace && ref.name) controller.enqueue(`claim:${ref.namespace}/${ref.name}`);
      },
    });
    pvcs.addHandler({
      onAdd: (c) => controller.enqueue(`claim:${c.metadata.namespace}/${c.metadata.name}`),
      onUpdate: (_o, c) => controller.enqueue(`claim:${c.metadata.namespace}/${c.metadata.name}`),
      onDelete: (c) => {
        // Its volume is released.
        if (c.spec?.volumeName) controller.enqueue(`volume:${c.spec.volumeName}`);
        for (const pv of pvs.list()) if (pv.spec?.claimRef?.uid === c.metadata.uid) controller.enqueue(`volume:${pv.metadata.name}`);
      },
    });
    classes.addHandler({ onAdd: enqueuePendingClaims });
    if (!(await waitForCacheSync([pvs, pvcs, classes, nodes], signal))) return;
    await controller.run(signal);
  },
};
