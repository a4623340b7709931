// The pods/eviction subresource (upstream pkg/registry/core/pod/storage/eviction.go): deletes a
// pod only when its PodDisruptionBudget allows one more disruption, taking that disruption from
// the budget's status (disruptionsAllowed - 1, the pod in disruptedPods) before the delete.
// Pending, finished and already-deleting pods go without asking any budget.
import type { KObject } from '../../api/types.js';
import { clone, isPlainObject } from '../../api/types.js';
import { StatusError, conflict, forbidden, tooManyRequests } from '../../api/errors.js';
import { selectorFromLabelSelector } from '../../api/selectors/label-selector.js';
import type { DeleteOptions, RequestContext } from '../registry/store.js';
import { nowRfc3339 } from '../registry/store.js';
import type { Stores } from './types.js';
import { listIn, storeFor } from './types.js';

export type EvictionResult = { ok: true } | { ok: false; status: Record<string, unknown> };

interface PdbStatus {
  observedGeneration?: number;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  disruptedPods?: Record<string, string>;
  conditions?: { type: string; status: string; reason?: string; message?: string; observedGeneration?: number; lastTransitionTime?: string }[];
}

const MAX_DISRUPTED_PODS = 2000;
const PDB_REF = { group: 'policy', resource: 'poddisruptionbudget' };

function phaseOf(pod: KObject): string {
  return (pod.status as { phase?: string } | undefined)?.phase ?? '';
}

function canIgnorePdb(pod: KObject): boolean {
  return ['Succeeded', 'Failed', 'Pending'].includes(phaseOf(pod)) || !!pod.metadata.deletionTimestamp;
}

function isReady(pod: KObject): boolean {
  const conds = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function budgetStillProcessing(name: string): StatusError {
  const e = tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10);
  e.details!.causes = [{ type: 'DisruptionBudget', message: `The disruption budget ${name} is still being processed by the server.` }];
  return e;
}

export async function evictPod(stores: Stores, namespace: string, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<EvictionResult> {
  const pods = storeFor(stores, '', 'pods');
  const pod = await pods.get(namespace, name);
  const callerRv = opts.preconditions?.resourceVersion;
  if (canIgnorePdb(pod)) {
    // Terminal pods already caused their disruption; others are pinned to the version checked.
    const pinned = phaseOf(pod) === 'Pending' && !pod.metadata.deletionTimestamp && !callerRv;
    await deleteWithCondition(stores, namespace, name, pinned ? withRv(opts, pod.metadata.resourceVersion!) : opts, ctx);
    return { ok: true };
  }
  const selected = (await listIn(stores, 'policy', 'poddisruptionbudgets', namespace)).filter((pdb) => {
    try {
      // A null selector selects nothing; in policy/v1 an empty one selects every pod.
      return selectorFromLabelSelector((pdb.spec as { selector?: null } | undefined)?.selector).matches(pod.metadata.labels ?? {});
    } catch {
      return false;
    }
  });
  if (selected.length > 1) {
    return { ok: false, status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 } };
  }
  let pinRv = false;
  const pdb = selected[0];
  if (pdb) {
    const policy = (pdb.spec as { unhealthyPodEvictionPolicy?: string } | undefined)?.unhealthyPodEvictionPolicy;
    const st = (pdb.status ?? {}) as PdbStatus;
    const unhealthyMayGo = !isReady(pod) && (policy === 'AlwaysAllow' || ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0));
    // An unready pod does not count as healthy: deleting it takes nothing from the budget.
    if (unhealthyMayGo) pinRv = true;
    else await takeDisruption(stores, pdb, name, ctx);
  }
  try {
    await deleteWithCondition(stores, namespace, name, pinRv && !callerRv ? withRv(opts, pod.metadata.resourceVersion!) : opts, ctx);
  } catch (e) {
    // The pod changed (it may have become ready): the client should retry, as upstream answers.
    if (pinRv && !callerRv && e instanceof StatusError && e.code === 409) throw budgetStillProcessing(pdb!.metadata.name!);
    throw e;
  }
  return { ok: true };
}

function withRv(opts: DeleteOptions, rv: string): DeleteOptions {
  return { ...opts, preconditions: { ...(opts.preconditions ?? {}), resourceVersion: rv } };
}

/** checkAndDecrement, retried on conflicts with a fresh copy of the budget. */
async function takeDisruption(stores: Stores, first: KObject, podName: string, ctx: RequestContext): Promise<void> {
  const store = storeFor(stores, 'policy', 'poddisruptionbudgets');
  let pdb = first;
  for (let attempt = 0; ; attempt++) {
    const name = pdb.metadata.name!;
    const st = clone((pdb.status ?? {}) as PdbStatus);
    if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw budgetStillProcessing(name);
    const allowed = st.disruptionsAllowed ?? 0;
    if (allowed < 0) throw forbidden(PDB_REF, name, 'pdb disruptions allowed is negative');
    if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
      throw forbidden(PDB_REF, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    }
    if (allowed === 0) {
      const e = tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0);
      // Upstream's retry-after of 0 is left out of the Status (and no Retry-After header).
      delete e.details!.retryAfterSeconds;
      e.details!.causes = [{ type: 'DisruptionBudget', message: `The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently` }];
      throw e;
    }
    st.disruptionsAllowed = allowed - 1;
    if (st.disruptionsAllowed === 0) setDisruptionAllowedFalse(st);
    if (ctx.dryRun) return;
    st.disruptedPods = { ...(st.disruptedPods ?? {}), [podName]: nowRfc3339() };
    try {
      await store.update(pdb.metadata.namespace!, name, { ...pdb, status: st }, ctx, 'status');
      return;
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409) || attempt >= 4) throw e;
      pdb = await store.get(pdb.metadata.namespace!, name);
    }
  }
}

function setDisruptionAllowedFalse(st: PdbStatus): void {
  const conds = st.conditions ?? [];
  const cur = conds.find((c) => c.type === 'DisruptionAllowed');
  const next = { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: st.observedGeneration, lastTransitionTime: nowRfc3339() };
  if (cur && cur.status === 'False') {
    cur.reason = 'InsufficientPods';
    cur.observedGeneration = st.observedGeneration;
  } else st.conditions = [...conds.filter((c) => c.type !== 'DisruptionAllowed'), next];
}

/** Marks the pod DisruptionTarget (reason EvictionByEvictionAPI), then deletes it. */
async function deleteWithCondition(stores: Stores, namespace: string, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<void> {
  const pods = storeFor(stores, '', 'pods');
  let del = opts;
  if (!ctx.dryRun) {
    const updated = await pods.guaranteedUpdate(namespace, name, (pod) => {
      const want = opts.preconditions?.resourceVersion;
      if (want && want !== pod.metadata.resourceVersion) {
        throw conflict(pods.ref, name, `Precondition failed: ResourceVersion in precondition: ${want}, ResourceVersion in meta: ${pod.metadata.resourceVersion}`);
      }
      const status = (isPlainObject(pod.status) ? pod.status : {}) as { conditions?: { type: string; status: string }[] };
      const conds = status.conditions ?? [];
      if (conds.some((c) => c.type === 'DisruptionTarget' && c.status === 'True')) return pod;
      status.conditions = [...conds.filter((c) => c.type !== 'DisruptionTarget'), { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: nowRfc3339() } as { type: string; status: string }];
      pod.status = status;
      return pod;
    }, ctx, 'status');
    // The condition write bumped the version the caller (or we) pinned: pin the new one.
    if (opts.preconditions?.resourceVersion) del = withRv(opts, updated.metadata.resourceVersion!);
  }
  await pods.delete(namespace, name, del, ctx);
}
