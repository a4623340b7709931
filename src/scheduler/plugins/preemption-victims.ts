// Victim selection on one node, as upstream's SelectVictimsOnNode: remove every lower-priority
// pod; if the preemptor then fits, reprieve as many as possible, most important first and
// PDB-violating ones before the others, so the victims are minimal; plus the node ordering of
// pickOneNodeForPreemption (fewest PDB violations, lowest highest-victim priority, smallest
// priority sum, fewest victims, latest start time).
import { selectorFromLabelSelector } from '../../api/selectors/label-selector.js';
import type { CycleState, Framework } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { isSuccess, unresolvable, type Status } from '../status.js';
import type { PodDisruptionBudget } from '../types.js';

export const ERR_NO_VICTIMS = 'No preemption victims found for incoming pod';

export interface Victims {
  node: string;
  pods: PodInfo[];
  numPDBViolations: number;
}

function startTime(p: PodInfo): number {
  const t = p.pod.status?.startTime ?? p.pod.metadata.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** util.MoreImportantPod: higher priority, then the one that started earlier. */
export function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return startTime(a) - startTime(b);
}

/** Splits pods (most important first) into those whose eviction would violate a PDB and the rest. */
export function splitByPDB(pods: PodInfo[], pdbs: readonly PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((p) => (p.spec?.selector ? selectorFromLabelSelector(p.spec.selector) : null));
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violates = false;
    pdbs.forEach((pdb, i) => {
      if (pdb.metadata.namespace !== p.namespace) return;
      const sel = selectors[i];
      if (!sel || sel.empty || !sel.matches(p.labels)) return;
      if (pdb.status?.disruptedPods?.[p.pod.metadata.name ?? '']) return;
      allowed[i]!--;
      if (allowed[i]! < 0) violates = true;
    });
    (violates ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}

export function selectVictimsOnNode(fw: Framework, state: CycleState, pod: PodInfo, node: NodeInfo, pdbs: readonly PodDisruptionBudget[]): { victims?: PodInfo[]; numPDBViolations: number; status: Status } {
  const potential: PodInfo[] = [];
  for (const p of [...node.pods]) {
    if (p.priority < pod.priority) {
      potential.push(p);
      node.removePod(p.key);
      fw.runRemovePod(state, pod, p, node);
    }
  }
  if (potential.length === 0) return { numPDBViolations: 0, status: unresolvable(ERR_NO_VICTIMS) };
  const s = fw.runFilterWithNominatedPods(state, pod, node);
  if (!isSuccess(s)) return { numPDBViolations: 0, status: s };
  potential.sort(moreImportant);
  const { violating, nonViolating } = splitByPDB(potential, pdbs);
  const victims: PodInfo[] = [];
  let numPDBViolations = 0;
  const reprieve = (p: PodInfo): boolean => {
    node.addPod(p);
    fw.runAddPod(state, pod, p, node);
    if (isSuccess(fw.runFilterWithNominatedPods(state, pod, node))) return true;
    node.removePod(p.key);
    fw.runRemovePod(state, pod, p, node);
    victims.push(p);
    return false;
  };
  for (const p of violating) if (!reprieve(p)) numPDBViolations++;
  for (const p of nonViolating) reprieve(p);
  // Victims are reported most important first (pickOne reads the highest priority from [0]).
  victims.sort(moreImportant);
  return { victims, numPDBViolations, status: { code: 'Success', reasons: [] } };
}

export function pickOneNodeForPreemption(candidates: Victims[]): Victims | undefined {
  const scoreFuncs: ((v: Victims) => number)[] = [
    (v) => -v.numPDBViolations,
    (v) => -(v.pods[0]?.priority ?? 0),
    (v) => -v.pods.reduce((s, p) => s + p.priority + 2 ** 31, 0),
    (v) => -v.pods.length,
    (v) => {
      // The latest start time among the highest-priority victims.
      const top = v.pods[0]?.priority;
      let earliest = Infinity;
      for (const p of v.pods) if (p.priority === top) earliest = Math.min(earliest, startTime(p));
      return earliest === Infinity ? -Infinity : earliest;
    },
  ];
  let all = candidates;
  for (const f of scoreFuncs) {
    if (all.length <= 1) break;
    let max = -Infinity;
    let sel: Victims[] = [];
    for (const c of all) {
      const s = f(c);
      if (s > max) {
        max = s;
        sel = [c];
      } else if (s === max) sel.push(c);
    }
    all = sel;
  }
  return all[0];
}
