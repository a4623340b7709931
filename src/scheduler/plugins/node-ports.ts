// NodePorts: a pod's hostPorts must be free on the node (same protocol and port, and the same
// host IP or either side bound to 0.0.0.0).
import type { CycleState, FilterPlugin, PreFilterPlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { HostPort, PodInfo } from '../pod-info.js';
import { SKIP, SUCCESS, unschedulable, type Status } from '../status.js';

export const NODE_PORTS = 'NodePorts';
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

export function portsConflict(want: readonly HostPort[], used: readonly HostPort[]): boolean {
  for (const w of want) {
    for (const u of used) {
      if (u.port !== w.port || u.protocol !== w.protocol) continue;
      if (u.ip === w.ip || u.ip === '0.0.0.0' || w.ip === '0.0.0.0') return true;
    }
  }
  return false;
}

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NODE_PORTS;
  preFilter(_s: CycleState, pod: PodInfo): { status: Status } {
    return { status: pod.hostPorts.length ? SUCCESS : SKIP };
  }
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    return portsConflict(pod.hostPorts, node.usedPorts) ? unschedulable(ERR_REASON_NODE_PORTS) : SUCCESS;
  }
}
