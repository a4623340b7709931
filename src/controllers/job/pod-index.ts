// Pods grouped by their controlling owner's UID, maintained from the pod informer's events, so a
// Job sync finds its pods without scanning every pod; orphans (no controller) are kept apart for
// adoption. Also claiming as upstream's ControllerRefManager: a Job adopts matching orphans
// (adding the tracking finalizer) and releases owned pods whose labels no longer match.
import { StatusError } from '../../api/errors.js';
import { selectorFromLabelSelector } from '../../api/selectors/label-selector.js';
import { objectKey } from '../../client/informer.js';
import { resourcePath } from '../../client/rest-client.js';
import type { RestClient } from '../../client/rest-client.js';
import { controllerRef } from './job-pods.js';
import { JOB_TRACKING_FINALIZER } from './types.js';
import type { Job, Pod } from './types.js';

export function controllerOf(p: Pod): { name: string; uid: string; kind: string; apiVersion: string } | undefined {
  return (p.metadata.ownerReferences ?? []).find((r) => r.controller);
}

export class PodIndex {
  private readonly byOwner = new Map<string, Map<string, Pod>>();

  private ownerOf(p: Pod): string {
    return controllerOf(p)?.uid ?? '';
  }

  set(p: Pod, old?: Pod): void {
    if (old) this.remove(old);
    const owner = this.ownerOf(p);
    let m = this.byOwner.get(owner);
    if (!m) this.byOwner.set(owner, (m = new Map()));
    m.set(objectKey(p), p);
  }

  remove(p: Pod): void {
    const owner = this.ownerOf(p);
    const m = this.byOwner.get(owner);
    m?.delete(objectKey(p));
    if (m && m.size === 0) this.byOwner.delete(owner);
  }

  owned(uid: string): Pod[] {
    return [...(this.byOwner.get(uid)?.values() ?? [])];
  }

  orphans(namespace: string): Pod[] {
    return [...(this.byOwner.get('')?.values() ?? [])].filter((p) => p.metadata.namespace === namespace);
  }
}

/**
 * The pods the Job controls after adoption/release. Patches carry the pod's uid so a recreated pod
 * of the same name is never claimed by mistake.
 */
export async function claimPods(client: RestClient, index: PodIndex, job: Job): Promise<Pod[]> {
  let selector;
  try {
    selector = selectorFromLabelSelector(job.spec.selector);
  } catch {
    return [];
  }
  const out: Pod[] = [];
  const deleting = !!job.metadata.deletionTimestamp;
  for (const p of index.owned(job.metadata.uid!)) {
    if (selector.matches(p.metadata.labels) || deleting) {
      out.push(p);
      continue;
    }
    try {
      await client.patch(resourcePath('', 'v1', 'pods', p.metadata.namespace, p.metadata.name), { metadata: { uid: p.metadata.uid, ownerReferences: [{ $patch: 'delete', uid: job.metadata.uid }] } }, 'strategic');
    } catch (e) {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409 || e.code === 422))) throw e;
    }
  }
  if (deleting) return out;
  for (const p of index.orphans(job.metadata.namespace!)) {
    if (p.metadata.deletionTimestamp || !selector.matches(p.metadata.labels)) continue;
    const metadata = { uid: p.metadata.uid, ownerReferences: [controllerRef(job)], finalizers: [JOB_TRACKING_FINALIZER] };
    try {
      out.push(await client.patch<Pod>(resourcePath('', 'v1', 'pods', p.metadata.namespace, p.metadata.name), { metadata }, 'strategic'));
    } catch (e) {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409 || e.code === 422))) throw e;
    }
  }
  return out;
}
