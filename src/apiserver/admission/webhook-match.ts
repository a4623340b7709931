// Which webhooks a request goes to (upstream plugin/webhook/predicates): the rules (operation,
// group, version, resource/subresource, scope), the namespaceSelector and the objectSelector.
// Pure functions over plain data, so they are tested without a server.
import type { KObject } from '../../api/types.js';
import { selectorIsEmpty, selectorMatches } from '../../api/validation/meta.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What a webhook rule is matched against (upstream admission.Attributes, reduced). */
export interface MatchAttributes {
  operation: Operation;
  group: string;
  /** Versions the resource is served in; with matchPolicy Equivalent any of them may match. */
  versions: readonly string[];
  resource: string;
  subresource: string;
  namespaced: boolean;
  namespace: string;
  obj?: KObject;
  old?: KObject;
}

export interface Rule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

/** `pods`, `pods/status`, `*`, `*\/*`, `pods/*`, `*\/status` as upstream's rule matcher. */
export function resourceMatches(patterns: readonly string[] | undefined, resource: string, subresource: string): boolean {
  for (const p of patterns ?? []) {
    const [res, sub] = p.split('/', 2) as [string, string | undefined];
    if (res !== '*' && res !== resource) continue;
    if (sub === undefined ? subresource === '' : sub === '*' || sub === subresource) return true;
  }
  return false;
}

function scopeMatches(scope: string | undefined, a: MatchAttributes): boolean {
  if (!scope || scope === '*') return true;
  // Namespaces are cluster-scoped objects; upstream decides by the request's namespace.
  if (scope === 'Cluster') return a.namespace === '';
  return a.namespace !== '';
}

/** Returns the first matching version (the one the request is reported in), or undefined. */
export function ruleMatches(r: Rule, a: MatchAttributes, exact: boolean): string | undefined {
  if (!has(r.operations, a.operation)) return undefined;
  if (!has(r.apiGroups, a.group)) return undefined;
  if (!resourceMatches(r.resources, a.resource, a.subresource)) return undefined;
  if (!scopeMatches(r.scope, a)) return undefined;
  // The object is held in its storage version (versions[0]); Exact matches only that one.
  const candidates = exact ? a.versions.slice(0, 1) : a.versions;
  return candidates.find((v) => has(r.apiVersions, v));
}

/** Webhook rules: any rule matching is enough. */
export function rulesMatch(rules: readonly Rule[] | undefined, a: MatchAttributes, exact: boolean): boolean {
  return (rules ?? []).some((r) => ruleMatches(r, a, exact) !== undefined);
}

/** objectSelector: the new or the old object's labels match (upstream matches either). */
export function objectSelectorMatches(selector: unknown, a: MatchAttributes): boolean {
  if (selectorIsEmpty(selector)) return true;
  return [a.obj, a.old].some((o) => o !== undefined && selectorMatches(selector, o.metadata.labels));
}

/**
 * namespaceSelector: cluster-scoped objects always match, except namespaces themselves, whose
 * own labels are checked (the new object's, or the old one's on DELETE). For namespaced objects
 * `namespaceObject` is the request's Namespace (undefined if missing: then only an empty selector matches).
 */
export function namespaceSelectorMatches(selector: unknown, a: MatchAttributes, namespaceObject: KObject | undefined): boolean {
  if (selectorIsEmpty(selector)) return true;
  if (a.group === '' && a.resource === 'namespaces') return selectorMatches(selector, (a.obj ?? a.old)?.metadata.labels);
  if (!a.namespace) return true;
  return namespaceObject !== undefined && selectorMatches(selector, namespaceObject.metadata.labels);
}
