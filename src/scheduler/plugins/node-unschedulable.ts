// NodeUnschedulable: nodes with spec.unschedulable (cordoned) take only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint (DaemonSet pods get that toleration).
import type { FilterPlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { tolerationsTolerate } from '../match.js';
import { SUCCESS, unresolvable, type Status } from '../status.js';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function schedulableFor(pod: PodInfo, node: NodeInfo): boolean {
  return !node.unschedulable || tolerationsTolerate(pod.pod.spec.tolerations, TAINT);
}

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NODE_UNSCHEDULABLE;
  filter(_s: unknown, pod: PodInfo, node: NodeInfo): Status {
    return schedulableFor(pod, node) ? SUCCESS : unresolvable(ERR_REASON_UNSCHEDULABLE);
  }
}
