// FitError's message, worded exactly as upstream's FitError.Error():
// "0/<n> nodes are available: <PreFilterMsg>." or "... <count> <reason>, ... (sorted)." and then
// " <PostFilterMsg>" (preemption's own "preemption: 0/<n> nodes are available: ....").
import type { Status } from './status.js';

export interface Diagnosis {
  /** Status of each node the filters rejected. */
  nodeStatuses: Map<string, Status>;
  /** Status assumed for nodes not in nodeStatuses (a PreFilter rejection applies to all). */
  absentStatus?: Status;
  preFilterMsg?: string;
  postFilterMsg?: string;
}

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const counts = new Map<string, number>();
    for (const s of d.nodeStatuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = numAllNodes - d.nodeStatuses.size;
    if (absent > 0 && d.absentStatus) for (const r of d.absentStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
    // Go's sort.Strings: byte order of "<count> <reason>".
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  // The PostFilter message carries its own final period (upstream since v1.28).
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}
