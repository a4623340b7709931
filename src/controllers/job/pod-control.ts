// Creating and deleting a Job's pods through the API, with upstream's events (SuccessfulCreate
// `Created pod: x`, FailedCreate, SuccessfulDelete `Deleted pod: x`, FailedDelete) and the
// expectations that keep the next sync from acting on a stale cache. Creates go in slow-start
// batches (1, 2, 4, ...) so a failing template costs one request, not hundreds.
import { StatusError } from '../../api/errors.js';
import { resourcePath } from '../../client/rest-client.js';
import { hasTrackingFinalizer, isReady } from './job-pods.js';
import type { JobSyncDeps, SyncCtx } from './sync-context.js';
import { JOB_TRACKING_FINALIZER } from './types.js';
import type { Pod } from './types.js';

export interface DeleteResult {
  deleted: number;
  deletedReady: number;
  error?: Error;
}

const isNotFound = (e: unknown): boolean => e instanceof StatusError && e.code === 404;

async function deleteOne(d: JobSyncDeps, c: SyncCtx, pod: Pod, dropFinalizer: boolean): Promise<void> {
  const path = resourcePath('', 'v1', 'pods', pod.metadata.namespace, pod.metadata.name);
  if (dropFinalizer && hasTrackingFinalizer(pod)) {
    await d.client.patch(path, { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } }, 'strategic');
  }
  try {
    await d.client.delete(path);
    d.recorder.event(c.job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
  } catch (e) {
    if (!isNotFound(e)) d.recorder.event(c.job, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
    throw e;
  }
}

/**
 * Deletes pods. `dropFinalizer` (surplus or suspended pods) removes the tracking finalizer first so
 * they are not counted as failures; without it (a failing or finished Job) pods keep it and are
 * counted by the status tracking. NotFound counts as deleted.
 */
export async function deletePods(d: JobSyncDeps, c: SyncCtx, pods: Pod[], dropFinalizer: boolean): Promise<DeleteResult> {
  const r: DeleteResult = { deleted: 0, deletedReady: 0 };
  await Promise.all(
    pods.map(async (p) => {
      if (dropFinalizer) d.expectations.expectDeleted(c.key, p.metadata.uid!);
      try {
        await deleteOne(d, c, p, dropFinalizer);
      } catch (e) {
        if (!isNotFound(e)) {
          r.error = e as Error;
          d.expectations.observeGone(c.key, p);
          return;
        }
      }
      r.deleted++;
      if (isReady(p)) r.deletedReady++;
    }),
  );
  return r;
}

/** Creates the given pods in slow-start batches; returns how many were created. */
export async function createPods(d: JobSyncDeps, c: SyncCtx, pods: Pod[]): Promise<{ created: number; error?: Error }> {
  let created = 0;
  let batch = 1;
  for (let i = 0; i < pods.length; ) {
    const chunk = pods.slice(i, i + batch);
    i += chunk.length;
    let error: Error | undefined;
    await Promise.all(
      chunk.map(async (p) => {
        try {
          const res = await d.client.create<Pod>(resourcePath('', 'v1', 'pods', c.job.metadata.namespace), p);
          d.expectations.expectCreated(c.key, res.metadata.name!);
          d.recorder.event(c.job, 'Normal', 'SuccessfulCreate', `Created pod: ${res.metadata.name}`);
          created++;
        } catch (e) {
          // A terminating namespace refuses every create; nothing to report.
          const terminating = e instanceof StatusError && (e.details?.causes ?? []).some((x) => x.type === 'NamespaceTerminating');
          if (!terminating) d.recorder.event(c.job, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          error = e as Error;
        }
      }),
    );
    if (error) return { created, error };
    batch *= 2;
  }
  return { created };
}
