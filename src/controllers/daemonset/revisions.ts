// A DaemonSet's ControllerRevisions, as upstream's constructHistory/cleanupHistory: one revision
// per distinct pod template, named `<ds>-<hash>` and labelled controller-revision-hash=<hash>
// (the value new pods carry); the one matching the current template is "current" and gets the
// highest revision number; old ones beyond revisionHistoryLimit are deleted unless a pod still
// runs them. Upstream names DaemonSet revisions with ComputeHash (a hash of Go's in-memory
// template struct, not reproducible outside Go); kts uses the revision-data hash for both kinds.
import { StatusError } from '../../api/errors.js';
import { selectorFromLabelSelector } from '../../api/selectors/label-selector.js';
import type { RestClient } from '../../client/rest-client.js';
import { resourcePath } from '../../client/rest-client.js';
import type { CachedInformer } from '../../client/informer.js';
import { claimChildren } from '../replicaset-claim.js';
import type { ControllerRevision } from '../history.js';
import {
  POD_REVISION_LABEL, appsControllerRef, deleteRevision, hashRevisionData, revisionMatchesTemplate, revisionName, revisionPath, sortRevisions, templatePatch,
} from '../history.js';
import type { DaemonPod, DaemonSet } from './types.js';

const dsPath = (ds: DaemonSet, sub?: string): string => resourcePath('apps', 'v1', 'daemonsets', ds.metadata.namespace, ds.metadata.name, sub);

/** The revisions this DaemonSet controls, adopting matching orphans and releasing mismatches. */
export async function controlledRevisions(client: RestClient, ds: DaemonSet, revisions: CachedInformer<ControllerRevision>): Promise<ControllerRevision[]> {
  return claimChildren({
    client,
    owner: ds,
    ownerApiVersion: 'apps/v1',
    ownerKind: 'DaemonSet',
    selector: selectorFromLabelSelector(ds.spec?.selector),
    candidates: revisions.list(ds.metadata.namespace),
    ownerPath: dsPath(ds),
    childPath: (r) => revisionPath(r.metadata.namespace!, r.metadata.name),
  });
}

/** snapshot: stores the current template; on a name clash with other data, bumps collisionCount. */
async function snapshot(client: RestClient, ds: DaemonSet, revision: number): Promise<ControllerRevision> {
  const data = templatePatch(ds.spec?.template);
  const hash = hashRevisionData(data, ds.status?.collisionCount);
  const name = revisionName(ds.metadata.name!, hash);
  const ns = ds.metadata.namespace!;
  const body: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: ns,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [POD_REVISION_LABEL]: hash },
      annotations: ds.metadata.annotations,
      ownerReferences: [appsControllerRef(ds, 'DaemonSet')],
    },
    data,
    revision,
  };
  try {
    return await client.create<ControllerRevision>(revisionPath(ns), body);
  } catch (e) {
    if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    const existing = await client.get<ControllerRevision>(revisionPath(ns, name));
    if (revisionMatchesTemplate(existing, ds.spec?.template)) return existing;
    const fresh = await client.get<DaemonSet>(dsPath(ds));
    if ((fresh.status?.collisionCount ?? undefined) !== (ds.status?.collisionCount ?? undefined)) {
      throw new Error(`found a stale collision count (${ds.status?.collisionCount}, expected ${fresh.status?.collisionCount}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`, { cause: e });
    }
    fresh.status = { ...(fresh.status ?? {}), collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
    await client.update(dsPath(ds, 'status'), fresh);
    // The next sync hashes with the bumped count.
    throw new Error(`hash collision on ControllerRevision ${name}; collisionCount is now ${fresh.status.collisionCount}`, { cause: e });
  }
}

/**
 * constructHistory: returns the current revision (created or renumbered as needed) and the old
 * ones. `pods` are the DaemonSet's pods, relabelled when duplicate current revisions are merged.
 */
export async function constructHistory(client: RestClient, ds: DaemonSet, revisions: CachedInformer<ControllerRevision>, pods: DaemonPod[]): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let rev of await controlledRevisions(client, ds, revisions)) {
    if (!rev.metadata.labels?.[POD_REVISION_LABEL]) {
      // Revisions from before the label existed: the name stands in for the hash.
      const upd = structuredClone(rev);
      upd.metadata.labels = { ...(upd.metadata.labels ?? {}), [POD_REVISION_LABEL]: upd.metadata.name! };
      rev = await client.update<ControllerRevision>(revisionPath(upd.metadata.namespace!, upd.metadata.name), upd);
    }
    (revisionMatchesTemplate(rev, ds.spec?.template) ? current : old).push(rev);
  }
  let next = 1;
  for (const r of old) next = Math.max(next, (r.revision ?? 0) + 1);
  let cur: ControllerRevision;
  if (current.length === 0) {
    cur = await snapshot(client, ds, next);
  } else {
    cur = await dedupCurrent(client, current, pods);
    if ((cur.revision ?? 0) < next) {
      const upd = structuredClone(cur);
      upd.revision = next;
      cur = await client.update<ControllerRevision>(revisionPath(upd.metadata.namespace!, upd.metadata.name), upd);
    }
  }
  return { cur, old };
}

/** dedupCurHistories: keeps the highest-numbered equal revision, moves pods over, deletes the rest. */
async function dedupCurrent(client: RestClient, current: ControllerRevision[], pods: DaemonPod[]): Promise<ControllerRevision> {
  const sorted = sortRevisions(current);
  const keep = sorted[sorted.length - 1]!;
  const keepHash = keep.metadata.labels?.[POD_REVISION_LABEL] ?? '';
  for (const dup of sorted.slice(0, -1)) {
    const dupHash = dup.metadata.labels?.[POD_REVISION_LABEL];
    for (const pod of pods) {
      if (pod.metadata.labels?.[POD_REVISION_LABEL] !== dupHash) continue;
      await client.patch(resourcePath('', 'v1', 'pods', pod.metadata.namespace, pod.metadata.name), { metadata: { labels: { [POD_REVISION_LABEL]: keepHash } } });
    }
    await deleteRevision(client, dup);
  }
  return keep;
}

/** cleanupHistory: deletes the oldest non-live revisions beyond revisionHistoryLimit. */
export async function cleanupHistory(client: RestClient, ds: DaemonSet, old: ControllerRevision[], pods: DaemonPod[]): Promise<void> {
  let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const live = new Set<string>();
  for (const p of pods) {
    const h = p.metadata.labels?.[POD_REVISION_LABEL];
    if (h) live.add(h);
  }
  for (const rev of sortRevisions(old)) {
    if (toKill <= 0) break;
    if (live.has(rev.metadata.labels?.[POD_REVISION_LABEL] ?? '')) continue;
    await deleteRevision(client, rev);
    toKill--;
  }
}
