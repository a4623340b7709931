// The RBAC objects in memory, kept current from the watch cache (one subscription per kind): roles
// and cluster roles by name, and bindings indexed by subject, so that finding the rules that apply
// to a user in a namespace touches only the bindings that name the user, one of its groups or its
// service account. Never a datastore read per request.
import type { KObject } from '../../api/types.js';
import type { PolicyRule, UserInfo } from './types.js';

export interface RoleRef { apiGroup?: string; kind: string; name: string }
export interface Subject { kind: string; apiGroup?: string; name: string; namespace?: string }
export interface BindingEntry { name: string; namespace: string; roleRef: RoleRef; subjects: Subject[] }

/** Where a rule came from, as upstream's rule visitor reports it (for errors and rules reviews). */
export type RuleVisitor = (source: BindingEntry | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

const SA_PREFIX = 'system:serviceaccount:';

/** The subject keys a binding's subject matches: `u:<username>` or `g:<group>`. */
export function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  if (s.kind === 'User') return `u:${s.name}`;
  if (s.kind === 'Group') return `g:${s.name}`;
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace || bindingNamespace;
    return ns ? `u:${SA_PREFIX}${ns}:${s.name}` : undefined;
  }
  return undefined;
}

function userKeys(user: UserInfo): string[] {
  return [`u:${user.name}`, ...user.groups.map((g) => `g:${g}`)];
}

class BindingSet {
  private readonly byName = new Map<string, BindingEntry>();
  private readonly bySubject = new Map<string, Set<string>>();
  /** matching() per user (its keys), dropped on any change: the same few users ask again and again. */
  private readonly memo = new Map<string, BindingEntry[]>();

  put(b: BindingEntry): void {
    this.remove(b.name);
    this.memo.clear();
    this.byName.set(b.name, b);
    for (const s of b.subjects) {
      const k = subjectKey(s, b.namespace);
      if (!k) continue;
      let set = this.bySubject.get(k);
      if (!set) this.bySubject.set(k, (set = new Set()));
      set.add(b.name);
    }
  }

  remove(name: string): void {
    const old = this.byName.get(name);
    if (!old) return;
    this.memo.clear();
    this.byName.delete(name);
    for (const s of old.subjects) {
      const k = subjectKey(s, old.namespace);
      const set = k ? this.bySubject.get(k) : undefined;
      set?.delete(name);
      if (set && set.size === 0) this.bySubject.delete(k!);
    }
  }

  /** Bindings naming any of the keys, each once, in name order (deterministic reviews). */
  matching(keys: string[]): BindingEntry[] {
    const memoKey = keys.join('\n');
    const hit = this.memo.get(memoKey);
    if (hit) return hit;
    const names = new Set<string>();
    for (const k of keys) for (const n of this.bySubject.get(k) ?? []) names.add(n);
    const out = [...names].sort().map((n) => this.byName.get(n)!);
    // Bounded: many distinct users (service accounts) must not grow it without limit.
    if (this.memo.size >= 1000) this.memo.clear();
    this.memo.set(memoKey, out);
    return out;
  }

  get size(): number {
    return this.byName.size;
  }
}

export class RbacIndex {
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  private readonly roles = new Map<string, Map<string, PolicyRule[]>>();
  private readonly clusterBindings = new BindingSet();
  private readonly roleBindings = new Map<string, BindingSet>();

  // --- updates (from the watch cache) --------------------------------------------------------

  putClusterRole(obj: KObject): void {
    this.clusterRoles.set(obj.metadata.name!, rulesOf(obj));
  }

  deleteClusterRole(name: string): void {
    this.clusterRoles.delete(name);
  }

  putRole(obj: KObject): void {
    const ns = obj.metadata.namespace ?? '';
    let m = this.roles.get(ns);
    if (!m) this.roles.set(ns, (m = new Map()));
    m.set(obj.metadata.name!, rulesOf(obj));
  }

  deleteRole(namespace: string, name: string): void {
    this.roles.get(namespace)?.delete(name);
  }

  putClusterRoleBinding(obj: KObject): void {
    this.clusterBindings.put(bindingOf(obj, ''));
  }

  deleteClusterRoleBinding(name: string): void {
    this.clusterBindings.remove(name);
  }

  putRoleBinding(obj: KObject): void {
    const ns = obj.metadata.namespace ?? '';
    let set = this.roleBindings.get(ns);
    if (!set) this.roleBindings.set(ns, (set = new BindingSet()));
    set.put(bindingOf(obj, ns));
  }

  deleteRoleBinding(namespace: string, name: string): void {
    this.roleBindings.get(namespace)?.remove(name);
  }

  // --- queries -------------------------------------------------------------------------------

  /** The rules of a role reference, or the upstream error text when the role does not exist. */
  roleRules(ref: RoleRef, namespace: string): PolicyRule[] | string {
    if (ref.kind === 'ClusterRole') return this.clusterRoles.get(ref.name) ?? `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`;
    if (ref.kind === 'Role' && namespace) return this.roles.get(namespace)?.get(ref.name) ?? `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`;
    return `unsupported role reference kind: ${JSON.stringify(ref.kind)}`;
  }

  clusterRole(name: string): PolicyRule[] | undefined {
    return this.clusterRoles.get(name);
  }

  role(namespace: string, name: string): PolicyRule[] | undefined {
    return this.roles.get(namespace)?.get(name);
  }

  /**
   * Visits the rules that apply to `user` in `namespace` ('' = cluster-wide only): cluster role
   * bindings first, then the namespace's role bindings, as upstream. Stops when the visitor says so.
   */
  visitRules(user: UserInfo, namespace: string, visit: RuleVisitor): void {
    const keys = userKeys(user);
    for (const b of this.clusterBindings.matching(keys)) if (!this.visitBinding(b, '', visit)) return;
    if (!namespace) return;
    const set = this.roleBindings.get(namespace);
    if (!set) return;
    for (const b of set.matching(keys)) if (!this.visitBinding(b, namespace, visit)) return;
  }

  private visitBinding(b: BindingEntry, namespace: string, visit: RuleVisitor): boolean {
    const rules = this.roleRules(b.roleRef, namespace);
    if (typeof rules === 'string') return visit(b, undefined, rules);
    for (const r of rules) if (!visit(b, r, undefined)) return false;
    return true;
  }

  /** Counts, for tests and logs. */
  get sizes(): { clusterRoles: number; clusterRoleBindings: number } {
    return { clusterRoles: this.clusterRoles.size, clusterRoleBindings: this.clusterBindings.size };
  }
}

function rulesOf(obj: KObject): PolicyRule[] {
  // A copy: the index must not share arrays with objects others hold (the watch cache hands out
  // the objects writes stored).
  const rules = Array.isArray(obj.rules) ? (structuredClone(obj.rules) as PolicyRule[]) : [];
  return rules.map((r) => ({ ...r, verbs: r.verbs ?? [] }));
}

function bindingOf(obj: KObject, namespace: string): BindingEntry {
  const roleRef = structuredClone(obj.roleRef ?? { kind: '', name: '' }) as RoleRef;
  const subjects = Array.isArray(obj.subjects) ? (structuredClone(obj.subjects) as Subject[]) : [];
  return { name: obj.metadata.name!, namespace, roleRef, subjects };
}
