// Walks the cache's label index for pod affinity terms: which assigned pods (as label groups
// with a count per node) match a set of terms, honouring namespaces and namespaceSelector.
import type { SchedulerCache } from '../cache.js';
import type { NodeInfo } from '../node-info.js';
import { termMatchesNamespace, type AffinityTerm } from '../match.js';

/** Namespaces a term can select pods from, among those that have assigned pods. */
export function termNamespaces(cache: SchedulerCache, term: AffinityTerm): string[] {
  if (!term.namespaceSelector) return [...term.namespaces];
  const out: string[] = [];
  for (const ns of cache.podNamespaces()) if (termMatchesNamespace(term, ns, cache.namespaceLabelsOf(ns))) out.push(ns);
  return out;
}

/** Calls fn(node, count) for assigned pods matching every term (label groups, not single pods). */
export function forEachMatchingPod(cache: SchedulerCache, terms: readonly AffinityTerm[], fn: (node: NodeInfo, count: number) => void): void {
  if (terms.length === 0) return;
  let namespaces = termNamespaces(cache, terms[0]!);
  for (const t of terms.slice(1)) {
    const allowed = new Set(termNamespaces(cache, t));
    namespaces = namespaces.filter((n) => allowed.has(n));
  }
  for (const ns of namespaces) {
    for (const g of cache.matchingGroups(ns, terms[0]!.selector)) {
      if (!terms.every((t) => t.selector.matches(g.labels))) continue;
      for (const [nodeName, count] of g.all) {
        const ni = cache.nodeInfo(nodeName);
        if (ni) fn(ni, count);
      }
    }
  }
}

