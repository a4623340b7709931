// The PV binder's writes, in upstream's order so a crash halfway leaves a state the next sync
// finishes: (1) the volume's claimRef (marked bound-by-controller when we chose it), (2) the
// volume's phase Bound, (3) the claim's volumeName and bind-completed annotation, (4) the claim's
// phase Bound with the volume's capacity and access modes. Each write carries the
// resourceVersion it read (409 → the sync is retried on fresh data) and is skipped when already
// done.
import { clone } from '../../api/types.js';
import type { RestClient } from '../../client/rest-client.js';
import { resourcePath } from '../../client/rest-client.js';
import { jsonEqual } from './equal.js';
import { isVolumeBoundToClaim, type PV, type PVC } from './volume-match.js';

export const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

const pvPath = (name?: string, sub?: string) => resourcePath('', 'v1', 'persistentvolumes', undefined, name, sub);
const pvcPath = (ns: string, name?: string, sub?: string) => resourcePath('', 'v1', 'persistentvolumeclaims', ns, name, sub);

export async function setVolumePhase(client: RestClient, pv: PV, phase: string, message?: string): Promise<PV> {
  if (pv.status?.phase === phase && (pv.status?.message ?? undefined) === message) return pv;
  const next = clone(pv);
  const changed = pv.status?.phase !== phase;
  next.status = { ...(next.status ?? {}), phase, lastPhaseTransitionTime: changed ? now() : pv.status?.lastPhaseTransitionTime };
  if (message) next.status.message = message;
  else delete next.status.message;
  return client.update<PV>(pvPath(pv.metadata.name, 'status'), next);
}

export async function setClaimPhase(client: RestClient, pvc: PVC, phase: string, pv?: PV): Promise<PVC> {
  const status: NonNullable<PVC['status']> = { ...(pvc.status ?? {}), phase };
  if (pv) {
    status.accessModes = pv.spec?.accessModes;
    status.capacity = pv.spec?.capacity;
  } else if (phase !== 'Lost') {
    delete status.accessModes;
    delete status.capacity;
  }
  if (jsonEqual(status, pvc.status ?? {})) return pvc;
  const next = clone(pvc);
  next.status = status;
  return client.update<PVC>(pvcPath(pvc.metadata.namespace!, pvc.metadata.name, 'status'), next);
}

/** Binds the volume and the claim to each other; returns the written objects. */
export async function bind(client: RestClient, pv: PV, pvc: PVC): Promise<{ pv: PV; pvc: PVC }> {
  const ref = pv.spec?.claimRef;
  if (!ref || !isVolumeBoundToClaim(pv, pvc) || ref.uid !== pvc.metadata.uid) {
    const next = clone(pv);
    next.spec = { ...(next.spec ?? {}), claimRef: { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion } };
    if (!ref) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [BOUND_BY_CONTROLLER]: 'yes' };
    pv = await client.update<PV>(pvPath(pv.metadata.name), next);
  }
  pv = await setVolumePhase(client, pv, 'Bound');
  const ann = pvc.metadata.annotations ?? {};
  if (pvc.spec?.volumeName !== pv.metadata.name || ann[BIND_COMPLETED] !== 'yes') {
    const next = clone(pvc);
    const annotations: Record<string, string> = { ...ann, [BIND_COMPLETED]: 'yes' };
    if (next.spec?.volumeName !== pv.metadata.name) {
      next.spec = { ...(next.spec ?? {}), volumeName: pv.metadata.name };
      annotations[BOUND_BY_CONTROLLER] = 'yes';
    }
    next.metadata.annotations = annotations;
    pvc = await client.update<PVC>(pvcPath(pvc.metadata.namespace!, pvc.metadata.name), next);
  }
  pvc = await setClaimPhase(client, pvc, 'Bound', pv);
  return { pv, pvc };
}

/** Releases a volume from a claim that is bound elsewhere (upstream unbindVolume). */
export async function unbindVolume(client: RestClient, pv: PV): Promise<PV> {
  const next = clone(pv);
  if (pv.metadata.annotations?.[BOUND_BY_CONTROLLER]) {
    const spec = { ...(next.spec ?? {}) };
    delete spec.claimRef;
    next.spec = spec;
    const annotations = { ...(next.metadata.annotations ?? {}) };
    delete annotations[BOUND_BY_CONTROLLER];
    next.metadata.annotations = annotations;
  } else if (next.spec?.claimRef) {
    // Pre-bound by the user: keep the name, forget the old claim's uid.
    next.spec.claimRef = { ...next.spec.claimRef, uid: undefined, resourceVersion: undefined };
  }
  const written = await client.update<PV>(pvPath(pv.metadata.name), next);
  return setVolumePhase(client, written, 'Available');
}
