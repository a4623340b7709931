// Whether one set of rules grants everything another does (upstream's validation.Covers), and the
// compact text of what is missing, for escalation errors.
import type { PolicyRule } from './types.js';

/** Splits a rule into single-verb, single-resource (or single-URL) rules. */
export function breakdown(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of r.verbs) {
    for (const g of r.apiGroups ?? []) {
      for (const res of r.resources ?? []) {
        if (r.resourceNames?.length) for (const n of r.resourceNames) out.push({ verbs: [verb], apiGroups: [g], resources: [res], resourceNames: [n] });
        else out.push({ verbs: [verb], apiGroups: [g], resources: [res] });
      }
    }
    for (const u of r.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [u] });
  }
  return out;
}

function has(set: readonly string[] | undefined, v: string): boolean {
  return (set ?? []).includes(v);
}

function resourceCovers(owner: readonly string[], wanted: readonly string[]): boolean {
  if (has(owner, '*')) return true;
  for (const path of wanted) {
    if (has(owner, path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0 || !has(owner, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

function urlCovers(owner: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((u) => owner.some((o) => o === u || o === '*' || (o.endsWith('*') && u.startsWith(o.slice(0, -1)))));
}

export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || sub.verbs.every((v) => has(owner.verbs, v));
  const groups = has(owner.apiGroups, '*') || (sub.apiGroups ?? []).every((g) => has(owner.apiGroups, g));
  const resources = resourceCovers(owner.resources ?? [], sub.resources ?? []);
  const urls = urlCovers(owner.nonResourceURLs ?? [], sub.nonResourceURLs ?? []);
  const names = !owner.resourceNames?.length || (!!sub.resourceNames?.length && sub.resourceNames.every((n) => has(owner.resourceNames, n)));
  return verbs && groups && resources && urls && names;
}

/** The parts of `wanted` that no rule of `owner` covers (empty: covered). */
export function missingRules(owner: readonly PolicyRule[], wanted: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const w of wanted) for (const atom of breakdown(w)) if (!owner.some((o) => ruleCovers(o, atom))) missing.push(atom);
  return missing;
}

/** Merges single-resource rules that differ only in verbs (upstream's CompactRules). */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const byKey = new Map<string, PolicyRule>();
  for (const r of rules) {
    if (r.nonResourceURLs?.length || r.apiGroups?.length !== 1 || r.resources?.length !== 1) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames ?? []]);
    const seen = byKey.get(key);
    if (seen) {
      for (const v of r.verbs) if (!seen.verbs.includes(v)) seen.verbs.push(v);
    } else {
      const copy = { ...r, verbs: [...r.verbs] };
      byKey.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

/** Go's %q of a []string: ["a" "b"]. */
export function goQuoteList(xs: readonly string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
}

/** rbacv1helpers.CompactString: {APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuoteList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${goQuoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
