// The parts of a Deployment sync that every strategy shares (upstream deployment/sync.go):
// finding or creating the new ReplicaSet (named `<deploy>-<pod-template-hash>`, revision =
// highest old revision + 1, collisionCount on a hash clash), scaling a ReplicaSet with its
// ScalingReplicaSet event and replica annotations, proportional scaling when spec.replicas changes
// mid-rollout, revisionHistoryLimit cleanup, and the status computed from the ReplicaSets.
import { clone } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import type { RestClient } from '../../client/rest-client.js';
import { resourcePath } from '../../client/rest-client.js';
import type { EventRecorder } from '../../client/events.js';
import { controllerOf, controllerRef } from '../replicaset-claim.js';
import type { Deployment, DeploymentStatus, ReplicaSet } from './util.js';
import {
  HASH_LABEL, REVISION, DESIRED_REPLICAS, MAX_REPLICAS, activeSets, availableReplicas, byCreation, byRevision, bySizeNewer, bySizeOlder, canonicalJson, computeHash, equalIgnoreHash, getCondition,
  hasProgressDeadline, isRollingUpdate, maxRevision, maxSurge, maxUnavailable, newCondition, readyReplicas, replicasAnnotationsNeedUpdate, replicasOf, setCondition, setNewReplicaSetAnnotations,
  setReplicasAnnotations, specReplicas, statusReplicas,
} from './util.js';

/** One reconcile's working state: `d` is a private copy, replaced by the result of each write. */
export interface SyncState {
  client: RestClient;
  recorder: EventRecorder;
  d: Deployment;
  /** Existing ReplicaSets by name (the informer cache may lag behind our own writes). */
  rsByName: Map<string, ReplicaSet>;
  requeueAfterMs?: number;
}

export const rsPath = (ns: string, name?: string): string => resourcePath('apps', 'v1', 'replicasets', ns, name);
export const deployPath = (ns: string, name?: string, sub?: string): string => resourcePath('apps', 'v1', 'deployments', ns, name, sub);

export async function updateStatus(s: SyncState): Promise<void> {
  s.d = await s.client.update<Deployment>(deployPath(s.d.metadata.namespace!, s.d.metadata.name, 'status'), s.d);
}

/** SetDeploymentRevision; the annotation is metadata, so it is written with a patch (a status write keeps metadata). */
async function setDeploymentRevision(s: SyncState, revision: string): Promise<void> {
  if (s.d.metadata.annotations?.[REVISION] === revision) return;
  const status = s.d.status;
  s.d = await s.client.patch<Deployment>(deployPath(s.d.metadata.namespace!, s.d.metadata.name), { metadata: { annotations: { [REVISION]: revision } } });
  s.d.status = status;
}

export function findNewReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

export function findOldReplicaSets(d: Deployment, rsList: ReplicaSet[]): ReplicaSet[] {
  const fresh = findNewReplicaSet(d, rsList);
  return rsList.filter((rs) => rs.metadata.uid !== fresh?.metadata.uid);
}

/** NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newRSNewReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const maxTotal = replicasOf(d) + maxSurge(d);
  const current = specReplicas(all);
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
}

/** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked) and all the old ones. */
export async function getAllReplicaSets(s: SyncState, rsList: ReplicaSet[], create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
  rsList = latest(s, rsList);
  const oldRSs = findOldReplicaSets(s.d, rsList);
  const newRS = await getNewReplicaSet(s, rsList, oldRSs, create);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(s: SyncState, rsList: ReplicaSet[], oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const d = s.d;
  const ns = d.metadata.namespace!;
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const copy = clone(existing);
    const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    if (annotationsChanged || (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
      copy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
      const updated = await s.client.update<ReplicaSet>(rsPath(ns, copy.metadata.name), copy);
      s.rsByName.set(updated.metadata.name!, updated);
      return updated;
    }
    await setDeploymentRevision(s, copy.metadata.annotations?.[REVISION] ?? '');
    if (hasProgressDeadline(s.d) && !getCondition(s.d.status, 'Progressing')) {
      s.d.status ??= {};
      setCondition(s.d.status, newCondition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${copy.metadata.name}"`));
      await updateStatus(s);
    }
    return copy;
  }
  if (!create) return undefined;
  const template = clone(d.spec.template ?? {});
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
  const selector = clone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${d.metadata.name}-${hash}`, namespace: ns, ownerReferences: [controllerRef(d, 'apps/v1', 'Deployment')], labels: template.metadata.labels },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  const count = newRSNewReplicas(d, [...oldRSs, rs], rs);
  rs.spec.replicas = count;
  setNewReplicaSetAnnotations(d, rs, newRevision, false);
  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await s.client.create<ReplicaSet>(rsPath(ns), rs);
  } catch (e) {
    if (e instanceof StatusError && e.code === 409) {
      const other = await s.client.get<ReplicaSet>(rsPath(ns, rs.metadata.name));
      if (controllerOf(other)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, other.spec.template)) {
        created = other;
        alreadyExists = true;
      } else {
        // A hash collision: bump collisionCount so the next sync picks another name.
        s.d.status = { ...(s.d.status ?? {}), collisionCount: (s.d.status?.collisionCount ?? 0) + 1 };
        await updateStatus(s);
        throw e;
      }
    } else {
      const forbiddenByNamespace = e instanceof StatusError && (e.details?.causes ?? []).some((c) => c.type === 'NamespaceTerminating');
      if (!forbiddenByNamespace) {
        const msg = `Failed to create new replica set "${rs.metadata.name}": ${(e as Error).message}`;
        if (hasProgressDeadline(d)) {
          s.d.status ??= {};
          setCondition(s.d.status, newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg));
          await updateStatus(s);
        }
        s.recorder.event(d, 'Warning', 'ReplicaSetCreateError', msg);
      }
      throw e;
    }
  }
  s.rsByName.set(created.metadata.name!, created);
  if (!alreadyExists && count > 0) s.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${count}`);
  await setDeploymentRevision(s, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(s.d)) {
    s.d.status ??= {};
    setCondition(s.d.status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${created.metadata.name}"`));
    await updateStatus(s);
  }
  return created;
}

/** scaleReplicaSet: writes the size and the replica annotations; an event when the size changed. */
export async function scaleReplicaSet(s: SyncState, rs: ReplicaSet, newScale: number, operation: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const d = s.d;
  const sizeChanged = replicasOf(rs) !== newScale;
  const max = replicasOf(d) + maxSurge(d);
  if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return { scaled: false, rs };
  const oldScale = replicasOf(rs);
  const copy = clone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, replicasOf(d), max);
  const updated = await s.client.update<ReplicaSet>(rsPath(d.metadata.namespace!, rs.metadata.name), copy);
  s.rsByName.set(updated.metadata.name!, updated);
  if (sizeChanged) s.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
  return { scaled: sizeChanged, rs: updated };
}

export async function scaleAndRecord(s: SyncState, rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if (replicasOf(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(s, rs, newScale, replicasOf(rs) < newScale ? 'up' : 'down');
}

/** getReplicaSetFraction: this set's share of the new total, by its max-replicas annotation. */
function fraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const total = replicasOf(d) + maxSurge(d);
  const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? NaN);
  const base = Number.isInteger(annotated) ? annotated : (d.status?.replicas ?? 0);
  const size = (replicasOf(rs) * total) / base;
  // Go's math.Round: halves away from zero.
  return Math.sign(size) * Math.round(Math.abs(size)) - replicasOf(rs);
}

function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = Number(rs.metadata.annotations?.[DESIRED_REPLICAS] ?? NaN);
  return replicasOf(rs) === replicasOf(d) && desired === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** scale: resize when spec.replicas changed, spreading the change over active sets in proportion. */
export async function scale(s: SyncState, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const d = s.d;
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeSets([...olds, newRS]);
  if (newRS || olds.length) {
    const only = active.length === 0 ? (newRS ?? olds[0]) : active.length === 1 ? active[0] : undefined;
    if (only) {
      if (replicasOf(only) !== replicasOf(d)) await scaleAndRecord(s, only, replicasOf(d));
      return;
    }
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeSets(oldRSs)) await scaleAndRecord(s, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(active);
  const operation = toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : '';
  if (toAdd > 0) active.sort(bySizeNewer);
  else if (toAdd < 0) active.sort(bySizeOlder);
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of active) {
    let proportion = 0;
    if (toAdd !== 0 && replicasOf(rs) !== 0 && toAdd !== added) {
      const f = fraction(rs, d);
      proportion = toAdd > 0 ? Math.min(f, toAdd - added) : Math.max(f, toAdd - added);
    }
    sizes.set(rs.metadata.name!, replicasOf(rs) + proportion);
    added += proportion;
  }
  for (const [i, rs] of active.entries()) {
    // Leftovers go to the largest set.
    if (i === 0 && toAdd !== 0) sizes.set(rs.metadata.name!, Math.max(0, sizes.get(rs.metadata.name!)! + toAdd - added));
    await scaleReplicaSet(s, rs, sizes.get(rs.metadata.name!)!, operation);
  }
}

/** cleanupDeployment: delete the oldest idle ReplicaSets beyond revisionHistoryLimit. */
export async function cleanupDeployment(s: SyncState, oldRSs: ReplicaSet[]): Promise<void> {
  const limit = s.d.spec.revisionHistoryLimit;
  if (limit === undefined) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - limit;
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i]!;
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await s.client.delete(rsPath(rs.metadata.namespace!, rs.metadata.name), { preconditions: { uid: rs.metadata.uid } });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }
}

/** calculateStatus: counts from the ReplicaSets, plus the Available condition. */
export function calculateStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const available = availableReplicas(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: statusReplicas(all),
    updatedReplicas: statusReplicas([newRS]),
    readyReplicas: readyReplicas(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(all) - available),
    conditions: (d.status?.conditions ?? []).map((c) => ({ ...c })),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) setCondition(status, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'));
  else setCondition(status, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'));
  return status;
}

/** Status equality as the API stores it (zero counts and empty lists are omitted). */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (x: DeploymentStatus | undefined): string =>
    canonicalJson(Object.fromEntries(Object.entries(x ?? {}).filter(([, v]) => v !== 0 && v !== undefined && !(Array.isArray(v) && v.length === 0))));
  return norm(a) === norm(b);
}

/** The sets as last written in this sync (a scaled set's spec differs from the cached one). */
export function latest(s: SyncState, rss: ReplicaSet[]): ReplicaSet[] {
  return rss.map((rs) => s.rsByName.get(rs.metadata.name!) ?? rs);
}

/** syncDeploymentStatus (used when only scaling or paused). */
export async function syncDeploymentStatus(s: SyncState, all: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
  const status = calculateStatus(s.d, latest(s, all), newRS && latest(s, [newRS])[0]);
  if (sameStatus(s.d.status, status)) return;
  s.d.status = status;
  await updateStatus(s);
}
