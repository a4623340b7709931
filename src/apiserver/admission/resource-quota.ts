// ResourceQuota admission (upstream plugin/pkg/admission/resourcequota): a write that adds usage
// in a namespace with quotas is refused with upstream's `exceeded quota: ...` message when it
// would go over a quota's hard limits. Usage is counted from storage under a per-namespace lock
// (cluster-wide, in storage, when API servers share the datastore: cluster-lock.ts) held until
// the write is stored, so concurrent creates cannot both slip under a limit whatever
// the resourcequota controller has written to status so far. Admitted usage is written back to
// the quotas' status, as upstream does.
import type { KObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { StatusError } from '../../api/errors.js';
import type { AdmissionRequest, Stores } from './types.js';
import { admissionForbidden, listIn, storeFor } from './types.js';
import type { ResourceList } from '../../api/quantity.js';
import { ZERO, add, addInto, cmp, parseResourceList, prettyPrint, sub, toJson } from '../../api/quantity.js';
import type { Evaluator } from './quota-usage.js';
import { evaluatorFor } from './quota-usage.js';
import type { ClusterLock } from '../cluster-lock.js';

export type WriteOperation = 'CREATE' | 'UPDATE';

export class QuotaAdmission {
  private readonly tails = new Map<string, Promise<void>>();

  /** `clusterLock`: with API servers sharing the datastore, the per-namespace lock is cluster-wide too. */
  constructor(
    private readonly stores: Stores,
    private readonly clusterLock?: ClusterLock,
  ) {}

  /**
   * Runs `write` (admission and persistence of one object) under the namespace's quota lock when
   * the namespace has quotas and the write can change usage; otherwise runs it directly.
   */
  async serialize<T>(info: ResourceInfo, obj: KObject, operation: WriteOperation, subresource: string, write: () => Promise<T>): Promise<T> {
    const ns = obj.metadata.namespace ?? '';
    if (!info.namespaced || !ns || subresource || !evaluatorFor(info).handles(operation)) return write();
    if (!(await listIn(this.stores, '', 'resourcequotas', ns)).length) return write();
    return this.locked(ns, write);
  }

  private async locked<T>(ns: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(ns) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(ns, tail);
    await prev;
    try {
      return await (this.clusterLock ? this.clusterLock.hold(`resourcequota/${ns}`, fn) : fn());
    } finally {
      release();
      if (this.tails.get(ns) === tail) this.tails.delete(ns);
    }
  }

  /** The validating check; call it last in admission, inside `serialize`. */
  async validate(req: AdmissionRequest): Promise<void> {
    if (req.subresource || !req.info.namespaced) return;
    const ev = evaluatorFor(req.info);
    if (!ev.handles(req.operation)) return;
    const quotas = await listIn(this.stores, '', 'resourcequotas', req.namespace);
    const pertinent: { quota: KObject; hard: ResourceList }[] = [];
    for (const quota of quotas) {
      const hard = matchingHard(quota, ev);
      if (!hard.size || !ev.matchesScopes(quota, req.obj)) continue;
      const why = ev.constraints?.([...hard.keys()], req.obj);
      if (why) throw admissionForbidden(req, `failed quota: ${quota.metadata.name}: ${why}`);
      pertinent.push({ quota, hard });
    }
    if (!pertinent.length) return;
    const now = Date.now();
    let delta = ev.usage(req.obj, now);
    const negative = [...delta].filter(([, q]) => q.nanos < 0n).map(([k]) => k);
    if (negative.length) throw admissionForbidden(req, `quota usage is negative for resource(s): ${negative.sort().join(',')}`);
    if (req.operation === 'UPDATE' && req.old) delta = subtract(delta, ev.usage(req.old, now));
    if ([...delta.values()].every((q) => q.nanos === 0n)) return;

    const existing = (await listIn(this.stores, req.info.group, req.info.resource, req.namespace)).map((o) => ({ obj: o, usage: ev.usage(o, now) }));
    const updates: { quota: KObject; used: ResourceList }[] = [];
    for (const { quota, hard } of pertinent) {
      const used: ResourceList = new Map([...hard.keys()].map((k) => [k, ZERO]));
      for (const e of existing) if (ev.matchesScopes(quota, e.obj)) addInto(used, mask(e.usage, hard));
      const requested = mask(delta, hard);
      const exceeded: string[] = [];
      for (const [k, q] of requested) if (cmp(add(used.get(k) ?? ZERO, q), hard.get(k)!) > 0) exceeded.push(k);
      if (exceeded.length) {
        const only = new Set(exceeded);
        throw admissionForbidden(req, `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(pick(requested, only))}, used: ${prettyPrint(pick(used, only))}, limited: ${prettyPrint(pick(hard, only))}`);
      }
      updates.push({ quota, used: addInto(used, requested) });
    }
    if (!req.ctx.dryRun) await this.recordUsage(updates, req);
  }

  /** Best effort: the resourcequota controller recomputes status anyway; a conflict is fine. */
  private async recordUsage(updates: { quota: KObject; used: ResourceList }[], req: AdmissionRequest): Promise<void> {
    const store = storeFor(this.stores, '', 'resourcequotas');
    for (const { quota, used } of updates) {
      const status = (quota.status ?? {}) as { hard?: Record<string, unknown>; used?: Record<string, unknown> };
      const next = { ...quota, status: { hard: (quota.spec as { hard?: unknown } | undefined)?.hard ?? {}, used: { ...(status.used ?? {}), ...toJson(used) } } };
      try {
        await store.update(req.namespace, quota.metadata.name!, next, { ...req.ctx, warnings: [] }, 'status');
      } catch (e) {
        if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) throw e;
      }
    }
  }
}

/** The quota's hard limits this evaluator is charged under. */
function matchingHard(quota: KObject, ev: Evaluator): ResourceList {
  const hard = parseResourceList((quota.spec as { hard?: unknown } | undefined)?.hard);
  for (const k of [...hard.keys()]) if (!ev.matches(k)) hard.delete(k);
  return hard;
}

function mask(list: ResourceList, keys: ResourceList): ResourceList {
  return new Map([...list].filter(([k]) => keys.has(k)));
}

function pick(list: ResourceList, keys: Set<string>): ResourceList {
  return new Map([...keys].map((k) => [k, list.get(k) ?? ZERO]));
}

function subtract(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, q] of b) out.set(k, sub(out.get(k) ?? ZERO, q));
  return out;
}
