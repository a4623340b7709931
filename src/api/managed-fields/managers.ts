// managedFields bookkeeping as upstream's FieldManager: one entry per (manager, operation,
// subresource, and for Update the apiVersion); Update operations take the fields they changed
// from everyone else; Apply operations own exactly what they applied, conflict with other owners
// of fields whose value they change (unless forced) and prune what they stopped applying.
import { FieldSet, pathString } from './field-set.js';
import type { TypeNode } from './typed.js';
import { compare, merge, removeItems } from './typed.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource: string;
  time?: string;
  set: FieldSet;
  /** Whether the set changed in this request (the time is then renewed). */
  changed?: boolean;
  /** The decoded fieldsV1 and the set it decoded to: encoded again as is while `set` is that set. */
  decoded?: { fieldsV1: unknown; set: FieldSet };
}

export interface Conflict {
  manager: Manager;
  path: string[];
}

/** A conflict error's payload; apiserver turns it into a 409. */
export class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('apply conflicts');
  }
}

function idOf(m: { manager: string; operation: string; apiVersion: string; subresource: string }): string {
  return `${m.manager}\u0000${m.operation}\u0000${m.operation === 'Apply' ? '' : m.apiVersion}\u0000${m.subresource}`;
}

/** Decodes metadata.managedFields; malformed entries are dropped (upstream resets them). */
export function decodeManagers(entries: unknown): Manager[] {
  if (!Array.isArray(entries)) return [];
  const out: Manager[] = [];
  for (const e of entries as ManagedFieldsEntry[]) {
    if (typeof e !== 'object' || e === null || typeof e.manager !== 'string') continue;
    if (e.operation !== 'Apply' && e.operation !== 'Update') continue;
    const set = FieldSet.fromJSON(e.fieldsV1);
    const m: Manager = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion ?? '', subresource: e.subresource ?? '', set, decoded: { fieldsV1: e.fieldsV1, set } };
    if (e.time) m.time = e.time;
    out.push(m);
  }
  return out;
}

/** Encodes managers sorted as upstream: Apply before Update, then by time, manager, version. */
export function encodeManagers(managers: Manager[], now: string): ManagedFieldsEntry[] {
  const list = managers.filter((m) => !m.set.empty());
  for (const m of list) if (m.changed || !m.time) m.time = now;
  list.sort((a, b) => cmp(a.operation, b.operation) || cmp(a.time ?? '', b.time ?? '') || cmp(a.manager, b.manager) || cmp(a.apiVersion, b.apiVersion) || cmp(a.subresource, b.subresource));
  return list.map((m) => {
    // A set nobody touched keeps its fieldsV1 (an update usually changes one manager's set).
    const fieldsV1 = m.decoded && m.decoded.set === m.set ? m.decoded.fieldsV1 : m.set.toJSON();
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, time: m.time, fieldsType: 'FieldsV1', fieldsV1 };
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function find(managers: Manager[], id: string): Manager | undefined {
  return managers.find((m) => idOf(m) === id);
}

export interface Workflow {
  manager: string;
  apiVersion: string;
  subresource: string;
}

/**
 * Shared by Update and Apply: takes changed fields away from other managers (conflicts when not
 * forced) and removed fields from everyone else.
 */
function settle(managers: Manager[], selfId: string, live: unknown, next: unknown, t: TypeNode, force: boolean) {
  const c = compare(live, next, t);
  const changed = c.modified.union(c.added);
  const conflicts: Conflict[] = [];
  for (const m of managers) {
    if (idOf(m) === selfId) continue;
    const hit = m.set.intersection(changed);
    if (!hit.empty()) for (const p of hit.paths()) conflicts.push({ manager: m, path: p });
  }
  if (!force && conflicts.length) throw new ApplyConflicts(conflicts);
  for (const m of managers) {
    if (idOf(m) === selfId) continue;
    // Only the acting manager's time is renewed, as upstream's managedFieldsUpdater does. A set
    // the change does not touch stays the same object (so it is not encoded again).
    if (m.set.intersection(changed).empty() && m.set.intersection(c.removed).empty()) continue;
    m.set = m.set.difference(changed).difference(c.removed);
  }
  return c;
}

/** Records an Update operation by `w` from `live` (undefined on create) to `next`. */
export function updateManagers(managers: Manager[], w: Workflow, live: unknown, next: unknown, t: TypeNode): Manager[] {
  const self: Manager = { ...w, operation: 'Update', set: new FieldSet() };
  const id = idOf(self);
  const c = settle(managers, id, live, next, t, true);
  const existing = find(managers, id);
  const base = existing?.set ?? new FieldSet();
  const set = base.union(c.modified).union(c.added).difference(c.removed);
  const out = managers.filter((m) => idOf(m) !== id);
  const entry: Manager = existing ?? self;
  // The time is renewed when the manager changed or added a field (upstream's managedFieldsUpdater:
  // "the manager changes any of the owned fields value"), not only when its set changed.
  if (!existing || !c.modified.empty() || !c.added.empty() || !set.equals(base)) entry.changed = true;
  entry.set = set;
  if (!set.empty()) out.push(entry);
  return out;
}

/**
 * Applies `config` for `w` to `live` (stripped of identity metadata): returns the merged object
 * and the new managers, or throws ApplyConflicts.
 */
export function applyManagers(managers: Manager[], w: Workflow, live: unknown, config: unknown, configSet: FieldSet, t: TypeNode, force: boolean): { merged: unknown; managers: Manager[] } {
  const id = idOf({ ...w, operation: 'Apply' });
  const existing = find(managers, id);
  const lastSet = existing?.set;
  const merged = merge(live, config, t);
  const entry: Manager = existing ?? { ...w, operation: 'Apply', set: new FieldSet() };
  entry.apiVersion = w.apiVersion;
  if (!existing || !configSet.equals(existing.set)) entry.changed = true;
  entry.set = configSet;
  const all = existing ? managers : [...managers, entry];
  if (lastSet && !lastSet.empty()) {
    // Fields this manager applied before and no longer does, unless someone else still owns them.
    let owned = new FieldSet();
    for (const m of all) owned = owned.union(m.set);
    const dropped = lastSet.difference(owned);
    removeItems(merged, keepShared(dropped, all), t);
  }
  settle(all, id, live, merged, t, force);
  return { merged, managers: all.filter((m) => !m.set.empty()) };
}

/** Drops from `dropped` any member under which another manager still owns something. */
function keepShared(dropped: FieldSet, managers: Manager[]): FieldSet {
  const walk = (d: FieldSet, others: FieldSet[]): FieldSet => {
    const r = new FieldSet();
    r.member = d.member && !others.some((o) => o.hasMembersBelow());
    if (d.children) {
      for (const [k, c] of d.children) {
        const sub = walk(c, others.map((o) => o.get(k)).filter((x): x is FieldSet => !!x));
        if (!sub.empty()) (r.children ??= new Map()).set(k, sub);
      }
    }
    return r;
  };
  return walk(dropped, managers.map((m) => m.set));
}

/** Upstream's printManager: `"team-a"`, or `"kubectl-edit" using v1` for Update managers. */
export function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

/** Upstream's conflict message (`Apply failed with 1 conflict: conflict with "team-a": .data.owner`). */
export function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1) return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!.manager)}: ${pathString(conflicts[0]!.path)}`;
  const by = new Map<string, string[]>();
  for (const c of conflicts) {
    const k = printManager(c.manager);
    by.set(k, [...(by.get(k) ?? []), pathString(c.path)]);
  }
  const lines: string[] = [];
  for (const k of [...by.keys()].sort()) {
    lines.push(`conflicts with ${k}:`);
    for (const p of by.get(k)!) lines.push(`- ${p}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
