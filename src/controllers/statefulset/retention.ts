// persistentVolumeClaimRetentionPolicy as upstream implements it: the garbage collector does the
// deleting, the StatefulSet controller only sets owner references on each claim —
//   whenScaled Retain, whenDeleted Retain: no reference
//   whenScaled Retain, whenDeleted Delete: the set controls the claim
//   whenScaled Delete: a claim of a scaled-down pod is controlled by that pod (whenDeleted Delete:
//   claims of pods still in range are controlled by the set).
// Claims with stale references (a previous set or pod of the same name) or another controller are
// left alone. Pure functions over the claim's ownerReferences.
import type { KObject, OwnerReference } from '../../api/types.js';
import { appsControllerRef } from '../history.js';
import type { StatefulSet } from './identity.js';
import { inOrdinalRange } from './identity.js';

interface Policy {
  whenScaled: string;
  whenDeleted: string;
}

function policyOf(set: StatefulSet): Policy {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenScaled: p?.whenScaled ?? 'Retain', whenDeleted: p?.whenDeleted ?? 'Retain' };
}

const isSetRef = (ref: OwnerReference, set: StatefulSet) => ref.apiVersion === 'apps/v1' && ref.kind === 'StatefulSet' && ref.name === set.metadata.name;
const isPodRef = (ref: OwnerReference, pod: KObject) => ref.apiVersion === 'v1' && ref.kind === 'Pod' && ref.name === pod.metadata.name;
const hasRef = (claim: KObject, owner: KObject) => (claim.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);

function hasStaleRef(claim: KObject, set: StatefulSet, pod: KObject): boolean {
  const refs = claim.metadata.ownerReferences ?? [];
  const setRef = refs.find((r) => isSetRef(r, set));
  const podRef = refs.find((r) => isPodRef(r, pod));
  return (!!setRef && setRef.uid !== set.metadata.uid) || (!!podRef && podRef.uid !== pod.metadata.uid);
}

function hasUnexpectedController(claim: KObject, set: StatefulSet, pod: KObject): boolean {
  const p = policyOf(set);
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Retain') return false;
  for (const ref of claim.metadata.ownerReferences ?? []) {
    if (isSetRef(ref, set)) {
      if (ref.uid !== set.metadata.uid) return true;
      continue;
    }
    if (isPodRef(ref, pod)) {
      if (ref.uid !== pod.metadata.uid) return true;
      continue;
    }
    if (ref.controller) return true;
  }
  return false;
}

function hasNonControllerOwner(claim: KObject, set: StatefulSet, pod: KObject): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r) => (r.uid === set.metadata.uid || r.uid === pod.metadata.uid) && !r.controller);
}

/** isClaimOwnerUpToDate: the claim's references already follow the policy (or must not be touched). */
export function claimOwnerUpToDate(claim: KObject, set: StatefulSet, pod: KObject): boolean {
  if (hasStaleRef(claim, set, pod)) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasRef(claim, set) || hasRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const p = policyOf(set);
  const scaledDown = !inOrdinalRange(pod, set);
  if (p.whenScaled === 'Delete' && p.whenDeleted === 'Delete') return scaledDown !== hasRef(claim, set) && scaledDown === hasRef(claim, pod);
  if (p.whenScaled === 'Delete') return !hasRef(claim, set) && scaledDown === hasRef(claim, pod);
  if (p.whenDeleted === 'Delete') return hasRef(claim, set) && !hasRef(claim, pod);
  return !hasRef(claim, set) && !hasRef(claim, pod);
}

/** updateClaimOwnerRefForSetAndPod: the claim's ownerReferences as the policy wants them. */
export function claimOwnerRefs(claim: KObject, set: StatefulSet, pod: KObject): OwnerReference[] {
  const unexpected = hasUnexpectedController(claim, set, pod);
  const refs = (claim.metadata.ownerReferences ?? []).filter((r) => !isSetRef(r, set) && !isPodRef(r, pod));
  if (unexpected) return refs;
  const p = policyOf(set);
  const scaledDown = !inOrdinalRange(pod, set);
  const podRef: OwnerReference = { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid!, controller: true, blockOwnerDeletion: true };
  if (p.whenScaled === 'Delete' && scaledDown) refs.push(podRef);
  else if (p.whenDeleted === 'Delete' && (p.whenScaled !== 'Delete' || !scaledDown)) refs.push(appsControllerRef(set, 'StatefulSet'));
  return refs;
}

/** PodClaimIsStale: a claim still owned by an earlier pod of this name waits for the GC. */
export function claimIsStale(claim: KObject, pod: KObject): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r) => r.kind === 'Pod' && r.name === pod.metadata.name && r.uid !== pod.metadata.uid);
}
