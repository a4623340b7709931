// Creates and reconciles the default RBAC policy at every start, as kube-apiserver's
// rbac/bootstrap-roles post-start hook: missing objects are created; existing ones annotated
// rbac.authorization.kubernetes.io/autoupdate: "true" get missing rules, subjects, labels and
// aggregation selectors added (nothing is removed, so an administrator's additions stay); objects
// whose annotation is not "true" are left alone. A binding whose roleRef changed is recreated.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Store } from '../apiserver/registry/store.js';
import { defaultPolicy, AUTOUPDATE_ANNOTATION } from '../apiserver/authz/policy/index.js';
import { missingRules } from '../apiserver/authz/covers.js';
import type { PolicyRule } from '../apiserver/authz/types.js';

const SYSTEM = { name: 'system:apiserver', groups: ['system:masters'] };
const G = 'rbac.authorization.k8s.io';

/** Returns what it created or updated, for the start-up log. */
export async function bootstrapRbac(stores: Map<string, Store>): Promise<string[]> {
  const policy = defaultPolicy();
  const changed: string[] = [];
  const run = async (resource: string, objs: KObject[], merge: (cur: KObject, want: KObject) => KObject | 'recreate' | undefined) => {
    const store = stores.get(`${G}/${resource}`)!;
    for (const want of objs) {
      const ns = want.metadata.namespace ?? '';
      const name = want.metadata.name!;
      const r = await reconcileOne(store, ns, name, want, merge);
      if (r) changed.push(`${resource}/${name}${r === 'created' ? '' : ` (${r})`}`);
    }
  };
  await run('clusterroles', policy.clusterRoles, mergeRole);
  await run('roles', policy.roles, mergeRole);
  await run('clusterrolebindings', policy.clusterRoleBindings, mergeBinding);
  await run('rolebindings', policy.roleBindings, mergeBinding);
  return changed;
}

async function reconcileOne(store: Store, ns: string, name: string, want: KObject, merge: (cur: KObject, want: KObject) => KObject | 'recreate' | undefined): Promise<string | undefined> {
  const ctx = () => ({ user: SYSTEM, dryRun: false, warnings: [] as string[] });
  const cur = await store.tryGet(ns, name);
  try {
    if (!cur) {
      await store.create(ns, structuredClone(want), ctx());
      return 'created';
    }
    if (cur.metadata.annotations?.[AUTOUPDATE_ANNOTATION] !== 'true') return undefined;
    const next = merge(structuredClone(cur), want);
    if (!next) return undefined;
    if (next === 'recreate') {
      await store.delete(ns, name, {}, ctx());
      await store.create(ns, structuredClone(want), ctx());
      return 'recreated';
    }
    await store.update(ns, name, next, ctx());
    return 'reconciled';
  } catch (e) {
    // Another server raced us to it; its version is as good as ours.
    if (e instanceof StatusError && (e.code === 409 || e.code === 404)) return undefined;
    throw e;
  }
}

function mergeMeta(cur: KObject, want: KObject): boolean {
  let changed = false;
  for (const field of ['labels', 'annotations'] as const) {
    const have = (cur.metadata[field] ??= {}) as Record<string, string>;
    for (const [k, v] of Object.entries(want.metadata[field] ?? {})) {
      if (have[k] === undefined) {
        have[k] = v;
        changed = true;
      }
    }
  }
  return changed;
}

export function mergeRole(cur: KObject, want: KObject): KObject | undefined {
  let changed = mergeMeta(cur, want);
  const wantAgg = want.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined;
  if (wantAgg) {
    const agg = (cur.aggregationRule ??= { clusterRoleSelectors: [] }) as { clusterRoleSelectors?: unknown[] };
    const have = (agg.clusterRoleSelectors ??= []);
    for (const s of wantAgg.clusterRoleSelectors ?? []) {
      if (!have.some((h) => JSON.stringify(h) === JSON.stringify(s))) {
        have.push(s);
        changed = true;
      }
    }
  } else {
    // Aggregated roles' rules belong to the aggregation controller; others get missing rules added.
    const rules = (cur.rules ?? []) as PolicyRule[];
    const add = ((want.rules ?? []) as PolicyRule[]).filter((r) => missingRules(rules, [r]).length > 0);
    if (add.length) {
      cur.rules = [...rules, ...add];
      changed = true;
    }
  }
  return changed ? cur : undefined;
}

export function mergeBinding(cur: KObject, want: KObject): KObject | 'recreate' | undefined {
  if (JSON.stringify(cur.roleRef) !== JSON.stringify(want.roleRef)) return 'recreate';
  let changed = mergeMeta(cur, want);
  const subjects = (cur.subjects ?? []) as { kind: string; name: string; namespace?: string }[];
  for (const s of (want.subjects ?? []) as typeof subjects) {
    if (!subjects.some((h) => h.kind === s.kind && h.name === s.name && (h.namespace ?? '') === (s.namespace ?? ''))) {
      subjects.push(s);
      changed = true;
    }
  }
  cur.subjects = subjects;
  return changed ? cur : undefined;
}
