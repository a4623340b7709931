// Matching helpers shared by plugins: node selector terms (matchExpressions and the
// metadata.name matchFields DaemonSet pods use), tolerations against taints, and pod affinity
// terms compiled once per pod (selector, namespaces, namespaceSelector, topologyKey).
import { nodeRequirementMatches, toleratesTaint as sharedToleratesTaint } from '../api/scheduling.js';
import { selectorFromLabelSelector, type LabelSelector, type LabelSelectorSpec } from '../api/selectors/label-selector.js';
import type { Node, NodeSelector, NodeSelectorTerm, Pod, PodAffinityTerm, Taint, Toleration } from './types.js';

const requirementMatches = nodeRequirementMatches;

/** One NodeSelectorTerm: all expressions and fields must match; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (!requirementMatches(r, labels[r.key])) return false;
  for (const r of fields) {
    // metadata.name is the only supported field (as upstream).
    if (r.key !== 'metadata.name') return false;
    if (!requirementMatches(r, node.metadata.name)) return false;
  }
  return true;
}

/** NodeSelector: the terms are ORed. */
export function nodeSelectorMatches(sel: NodeSelector, node: Node): boolean {
  for (const t of sel.nodeSelectorTerms ?? []) if (nodeSelectorTermMatches(t, node)) return true;
  return false;
}

/** The pod's nodeSelector and required node affinity (GetRequiredNodeAffinity().Match). */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const sel = pod.spec.nodeSelector;
  if (sel) {
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  }
  const req = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) return nodeSelectorMatches(req, node);
  return true;
}

export const toleratesTaint: (t: Toleration, taint: Taint) => boolean = sharedToleratesTaint;

export function tolerationsTolerate(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  for (const t of tolerations ?? []) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first NoSchedule/NoExecute taint the tolerations do not tolerate. */
const SCHEDULING_EFFECTS: readonly string[] = ['NoSchedule', 'NoExecute'];

export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, effects: readonly string[] = SCHEDULING_EFFECTS): Taint | undefined {
  if (!taints || taints.length === 0) return undefined;
  for (const taint of taints) {
    if (!effects.includes(taint.effect)) continue;
    if (!tolerationsTolerate(tolerations, taint)) return taint;
  }
  return undefined;
}

/** A pod (anti-)affinity term compiled against the pod that declares it. */
export interface AffinityTerm {
  selector: LabelSelector;
  /** Explicit namespaces (the owner's namespace when neither list nor selector is given). */
  namespaces: ReadonlySet<string>;
  /** null: only `namespaces`; otherwise namespaces whose labels match. */
  namespaceSelector: LabelSelector | null;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** Compiles a term; matchLabelKeys/mismatchLabelKeys are merged into the selector using the owner's labels. */
export function compileAffinityTerm(term: PodAffinityTerm, owner: Pod): AffinityTerm {
  const labels = owner.metadata.labels ?? {};
  let spec: LabelSelectorSpec | null | undefined = term.labelSelector;
  const extra: { key: string; operator: string; values: string[] }[] = [];
  if (spec) {
    for (const k of term.matchLabelKeys ?? []) if (labels[k] !== undefined) extra.push({ key: k, operator: 'In', values: [labels[k]!] });
    for (const k of term.mismatchLabelKeys ?? []) if (labels[k] !== undefined) extra.push({ key: k, operator: 'NotIn', values: [labels[k]!] });
    if (extra.length) spec = { matchLabels: spec.matchLabels, matchExpressions: [...(spec.matchExpressions ?? []), ...extra] };
  }
  const selector = selectorFromLabelSelector(spec ?? null);
  const nsList = term.namespaces ?? [];
  const namespaceSelector = term.namespaceSelector ? selectorFromLabelSelector(term.namespaceSelector) : null;
  const namespaces = new Set(nsList.length === 0 && !namespaceSelector ? [owner.metadata.namespace ?? ''] : nsList);
  return { selector, namespaces, namespaceSelector, topologyKey: term.topologyKey };
}

export function termMatchesNamespace(term: AffinityTerm, namespace: string, nsLabels: Record<string, string> | undefined): boolean {
  return term.namespaces.has(namespace) || (term.namespaceSelector !== null && term.namespaceSelector.matches(nsLabels ?? {}));
}

export function termMatches(term: AffinityTerm, namespace: string, labels: Record<string, string> | undefined, nsLabels: Record<string, string> | undefined): boolean {
  return termMatchesNamespace(term, namespace, nsLabels) && term.selector.matches(labels ?? {});
}
