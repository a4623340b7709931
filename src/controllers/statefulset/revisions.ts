// A StatefulSet's ControllerRevisions, as upstream's getStatefulSetRevisions/truncateHistory: the
// update revision is the one equal to the current template (created when none is, renumbered to
// the top when an older equal one exists — a rollback), the current revision is the one named in
// status.currentRevision (or the update revision at first), and history beyond
// revisionHistoryLimit is trimmed, never deleting a revision a pod or the status still names.
import type { RestClient } from '../../client/rest-client.js';
import type { ControllerRevision } from '../history.js';
import {
  REVISION_HASH_LABEL, appsControllerRef, canonicalJson, createRevision, deleteRevision, hashRevisionData, nextRevision, renumberRevision, revisionName, sortRevisions, templatePatch,
} from '../history.js';
import type { StatefulPod, StatefulSet } from './identity.js';
import { podRevision } from './identity.js';

export interface Revisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/** newRevision: the revision the set's current template would be stored as. */
function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const data = templatePatch(set.spec?.template);
  const hash = hashRevisionData(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(set.metadata.name!, hash),
      namespace: set.metadata.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      annotations: { ...(set.metadata.annotations ?? {}) },
      ownerReferences: [appsControllerRef(set, 'StatefulSet')],
    },
    data,
    revision,
  };
}

/** getStatefulSetRevisions over the set's revisions (already claimed). */
export async function statefulSetRevisions(client: RestClient, set: StatefulSet, owned: ControllerRevision[]): Promise<Revisions> {
  const revisions = sortRevisions(owned);
  let collisionCount = set.status?.collisionCount ?? 0;
  const candidate = newRevision(set, nextRevision(revisions), collisionCount);
  const data = canonicalJson(candidate.data);
  const equal = revisions.filter((r) => canonicalJson(r.data) === data);
  let update: ControllerRevision;
  const last = revisions[revisions.length - 1];
  const lastEqual = equal[equal.length - 1];
  if (lastEqual && last && lastEqual.metadata.name === last.metadata.name) {
    update = last;
  } else if (lastEqual) {
    update = await renumberRevision(client, lastEqual, candidate.revision!);
  } else {
    const r = await createRevision(client, set, candidate, collisionCount);
    update = r.revision;
    collisionCount = r.collisionCount;
  }
  const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** truncateHistory: deletes the oldest revisions no pod or status uses, beyond the limit. */
export async function truncateHistory(client: RestClient, set: StatefulSet, pods: StatefulPod[], owned: ControllerRevision[], current?: ControllerRevision, update?: ControllerRevision): Promise<void> {
  const live = new Set<string>();
  if (current) live.add(current.metadata.name!);
  if (update) live.add(update.metadata.name!);
  for (const p of pods) live.add(podRevision(p));
  const history = sortRevisions(owned).filter((r) => !live.has(r.metadata.name!));
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  for (const r of history.slice(0, Math.max(0, history.length - limit))) await deleteRevision(client, r);
}
