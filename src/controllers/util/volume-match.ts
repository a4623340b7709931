// Matching PersistentVolumeClaims to PersistentVolumes as upstream's volume binder does
// (pkg/controller/volume/persistentvolume/util FindMatchingVolume and the access-mode index):
// the smallest Available volume that is big enough, of the same class and volume mode, whose
// labels fit the claim's selector, among those with the fewest access modes that still cover the
// claim's; a volume pre-bound to the claim (claimRef) wins outright.
import type { KObject } from '../../api/types.js';
import { selectorFromLabelSelector, type LabelSelectorSpec } from '../../api/selectors/label-selector.js';
import { compareQuantity, parseQuantity, zeroQuantity, type Quantity } from './quantity.js';

export interface ClaimRef {
  kind?: string;
  apiVersion?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export type PV = KObject & {
  spec?: {
    capacity?: Record<string, unknown>;
    accessModes?: string[];
    storageClassName?: string;
    volumeMode?: string;
    claimRef?: ClaimRef | null;
    persistentVolumeReclaimPolicy?: string;
    nodeAffinity?: { required?: { nodeSelectorTerms?: NodeSelectorTerm[] } };
  };
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
};

export type PVC = KObject & {
  spec?: {
    accessModes?: string[];
    resources?: { requests?: Record<string, unknown> };
    storageClassName?: string | null;
    volumeMode?: string;
    volumeName?: string;
    selector?: LabelSelectorSpec | null;
  };
  status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, unknown> };
};

const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export function claimClass(pvc: PVC): string {
  return pvc.metadata.annotations?.[BETA_CLASS_ANNOTATION] ?? pvc.spec?.storageClassName ?? '';
}

export function volumeClass(pv: PV): string {
  return pv.metadata.annotations?.[BETA_CLASS_ANNOTATION] ?? pv.spec?.storageClassName ?? '';
}

export function capacityOf(pv: PV): Quantity {
  return parseQuantity(pv.spec?.capacity?.storage) ?? zeroQuantity;
}

export function requestOf(pvc: PVC): Quantity {
  return parseQuantity(pvc.spec?.resources?.requests?.storage) ?? zeroQuantity;
}

export function isVolumeBoundToClaim(pv: PV, pvc: PVC): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

export function accessModesCover(pv: PV, pvc: PVC): boolean {
  const have = new Set(pv.spec?.accessModes ?? []);
  return (pvc.spec?.accessModes ?? []).every((m) => have.has(m));
}

function modeMismatch(pv: PV, pvc: PVC): boolean {
  return (pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem');
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && vals.includes(value);
    case 'NotIn': return value === undefined || !vals.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': return value !== undefined && Number(value) > Number(vals[0]);
    case 'Lt': return value !== undefined && Number(value) < Number(vals[0]);
    default: return false;
  }
}

/** Whether the volume's required node affinity admits the node (no affinity: any node). */
export function volumeFitsNode(pv: PV, node: KObject | undefined): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  if (!node) return false;
  const labels = node.metadata.labels ?? {};
  return terms.some(
    (t) =>
      ((t.matchExpressions?.length ?? 0) > 0 || (t.matchFields?.length ?? 0) > 0) &&
      (t.matchExpressions ?? []).every((r) => requirementMatches(r, labels[r.key])) &&
      (t.matchFields ?? []).every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata.name : undefined)),
  );
}

/** Why a pre-chosen volume cannot serve the claim (upstream checkVolumeSatisfyClaim), or undefined. */
export function volumeMismatch(pv: PV, pvc: PVC): string | undefined {
  if (pv.metadata.deletionTimestamp) return `the volume is marked for deletion "${pv.metadata.name}"`;
  if (compareQuantity(capacityOf(pv), requestOf(pvc)) < 0) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(pvc)) return 'storageClassName does not match';
  if (modeMismatch(pv, pvc)) return 'incompatible volumeMode';
  if (!accessModesCover(pv, pvc)) return 'incompatible accessMode';
  return undefined;
}

/**
 * The best volume for the claim. With `delayBinding` and no `node`, only volumes pre-bound to the
 * claim qualify (the rest wait for the scheduler's choice of node).
 */
export function findMatchingVolume(pvc: PVC, volumes: PV[], delayBinding: boolean, node?: KObject): PV | undefined {
  const requested = requestOf(pvc);
  const cls = claimClass(pvc);
  const selector = pvc.spec?.selector ? selectorFromLabelSelector(pvc.spec.selector) : undefined;
  const candidates = volumes.filter((v) => accessModesCover(v, pvc));
  // The access-mode index: volumes with fewer modes first, so a RWO claim does not take a RWX volume.
  const sizes = [...new Set(candidates.map((v) => (v.spec?.accessModes ?? []).length))].sort((a, b) => a - b);
  for (const size of sizes) {
    let best: PV | undefined;
    for (const v of candidates) {
      if ((v.spec?.accessModes ?? []).length !== size) continue;
      if (compareQuantity(capacityOf(v), requested) < 0 || modeMismatch(v, pvc) || v.metadata.deletionTimestamp) continue;
      const fits = node ? volumeFitsNode(v, node) : true;
      if (isVolumeBoundToClaim(v, pvc)) return fits ? v : undefined;
      if (!node && delayBinding) continue;
      if (v.spec?.claimRef) continue;
      if (selector && !selector.matches(v.metadata.labels)) continue;
      if (v.status?.phase !== 'Available') continue;
      if (volumeClass(v) !== cls || !fits) continue;
      if (!best || compareQuantity(capacityOf(best), capacityOf(v)) > 0) best = v;
    }
    if (best) return best;
  }
  return undefined;
}
