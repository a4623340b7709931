// A StatefulSet pod's identity and storage, as upstream's stateful_set_utils.go: the ordinal in
// its name `<set>-<ordinal>`, the labels statefulset.kubernetes.io/pod-name and
// apps.kubernetes.io/pod-index, hostname = pod name and subdomain = serviceName, and one PVC per
// volumeClaimTemplate named `<claim>-<set>-<ordinal>` wired in as a volume of the same name.
import type { KObject } from '../../api/types.js';
import type { LabelSelectorSpec } from '../../api/selectors/label-selector.js';
import { POD_REVISION_LABEL, appsControllerRef } from '../history.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  [k: string]: unknown;
}

export type StatefulPod = KObject & {
  spec?: { volumes?: Volume[]; hostname?: string; subdomain?: string; [k: string]: unknown };
  status?: { phase?: string; conditions?: PodCondition[] };
};

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  spec?: Record<string, unknown>;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  [k: string]: unknown;
}

export interface StatefulSet extends KObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelectorSpec;
    template?: PodTemplate;
    serviceName?: string;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
    volumeClaimTemplates?: KObject[];
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    ordinals?: { start?: number };
  };
  status?: StatefulSetStatus;
}

const NAME_RE = /^(.*)-(\d+)$/;

/** getParentNameAndOrdinal: the ordinal is -1 when the name does not end in one. */
export function parentAndOrdinal(pod: KObject): { parent: string; ordinal: number } {
  const m = NAME_RE.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return Number.isSafeInteger(n) && n <= 2147483647 ? { parent: m[1]!, ordinal: n } : { parent: '', ordinal: -1 };
}

export const ordinalOf = (pod: KObject): number => parentAndOrdinal(pod).ordinal;
export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet): number => set.spec?.replicas ?? 1;
export const endOrdinal = (set: StatefulSet): number => startOrdinal(set) + replicasOf(set) - 1;
export const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata.name}-${ordinal}`;

export function inOrdinalRange(pod: KObject, set: StatefulSet): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

/** isMemberOf: the pod's name says it belongs to this set. */
export const isMemberOf = (set: StatefulSet, pod: KObject): boolean => parentAndOrdinal(pod).parent === set.metadata.name;

export const claimName = (set: StatefulSet, template: KObject, ordinal: number): string => `${template.metadata.name}-${set.metadata.name}-${ordinal}`;

/** getPersistentVolumeClaims: the claims a pod of this ordinal uses, keyed by template name. */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, KObject> {
  const out = new Map<string, KObject>();
  const selectorLabels = set.spec?.selector?.matchLabels ?? {};
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const claim = structuredClone(t);
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claim.metadata = { ...claim.metadata, name: claimName(set, t, ordinal), namespace: set.metadata.namespace, labels: { ...(t.metadata.labels ?? {}), ...selectorLabels } };
    delete claim.status;
    out.set(t.metadata.name!, claim);
  }
  return out;
}

/** updateIdentity: name, namespace and the identity labels. */
function setIdentity(set: StatefulSet, pod: StatefulPod, ordinal: number): void {
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** updateStorage: one PVC volume per claim template, replacing template volumes of that name. */
function setStorage(set: StatefulSet, pod: StatefulPod, ordinal: number): void {
  const claims = claimsFor(set, ordinal);
  const volumes: Volume[] = [];
  for (const [name, claim] of claims) volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata.name! } });
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = { ...(pod.spec ?? {}), volumes };
}

export function identityMatches(set: StatefulSet, pod: StatefulPod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  const labels = pod.metadata.labels ?? {};
  return ordinal >= 0 && parent === set.metadata.name && pod.metadata.name === podName(set, ordinal) && pod.metadata.namespace === set.metadata.namespace && labels[POD_NAME_LABEL] === pod.metadata.name && labels[POD_INDEX_LABEL] === String(ordinal);
}

export function storageMatches(set: StatefulSet, pod: StatefulPod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const [name, claim] of claimsFor(set, ordinal)) {
    if (volumes.get(name)?.persistentVolumeClaim?.claimName !== claim.metadata.name) return false;
  }
  return true;
}

/** Fixes identity and storage of an existing pod (UpdateStatefulPod's in-place part). */
export function repairPod(set: StatefulSet, pod: StatefulPod): void {
  const ordinal = ordinalOf(pod);
  setIdentity(set, pod, ordinal);
  setStorage(set, pod, ordinal);
}

/** newStatefulSetPod from a set whose template is the revision's, labelled with that revision. */
export function newPod(set: StatefulSet, ordinal: number, revisionName: string): StatefulPod {
  const t = set.spec?.template ?? {};
  const pod: StatefulPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${set.metadata.name}-`,
      labels: { ...(t.metadata?.labels ?? {}), [POD_REVISION_LABEL]: revisionName },
      annotations: t.metadata?.annotations,
      finalizers: t.metadata?.finalizers,
      ownerReferences: [appsControllerRef(set, 'StatefulSet')],
    },
    spec: structuredClone(t.spec ?? {}),
  };
  setIdentity(set, pod, ordinal);
  setStorage(set, pod, ordinal);
  pod.spec!.hostname = pod.metadata.name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  return pod;
}

export const podRevision = (pod: KObject): string => pod.metadata.labels?.[POD_REVISION_LABEL] ?? '';
export const isCreated = (pod: StatefulPod): boolean => !!pod.status?.phase;
export const isTerminating = (pod: StatefulPod): boolean => !!pod.metadata.deletionTimestamp;
export const isFailed = (pod: StatefulPod): boolean => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: StatefulPod): boolean => pod.status?.phase === 'Succeeded';
export const isPending = (pod: StatefulPod): boolean => pod.status?.phase === 'Pending';

function readySince(pod: StatefulPod): number | undefined {
  const c = (pod.status?.conditions ?? []).find((x) => x.type === 'Ready' && x.status === 'True');
  if (!c) return undefined;
  return c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
}

export const isRunningAndReady = (pod: StatefulPod): boolean => pod.status?.phase === 'Running' && readySince(pod) !== undefined;

export function isRunningAndAvailable(pod: StatefulPod, minReadySeconds: number, nowMs: number): boolean {
  if (pod.status?.phase !== 'Running') return false;
  const since = readySince(pod);
  if (since === undefined) return false;
  return !minReadySeconds || (since > 0 && since + minReadySeconds * 1000 < nowMs);
}

export const isHealthy = (pod: StatefulPod): boolean => isRunningAndReady(pod) && !isTerminating(pod);
