// NodeName: a pod that names a node (spec.nodeName) fits only there.
import type { FilterPlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { SUCCESS, unresolvable, type Status } from '../status.js';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  readonly name = NODE_NAME;
  filter(_s: unknown, pod: PodInfo, node: NodeInfo): Status {
    const want = pod.pod.spec.nodeName;
    return !want || want === node.name ? SUCCESS : unresolvable(ERR_REASON_NODE_NAME);
  }
}
