// Nodes: STATUS from the Ready condition ("Ready", "NotReady", "Unknown", plus
// ",SchedulingDisabled" when cordoned) and ROLES from node-role.kubernetes.io/<role> labels.

import { bool, list, str, stringMap } from './access.js';
import { age } from './format.js';
import { ageColumn, column, nameColumn, type TablePrinter } from './table.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** findNodeRoles: sorted, distinct. */
export function nodeRoles(node: unknown): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(stringMap(node, 'metadata', 'labels'))) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role !== '') roles.add(role);
    } else if (k === ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

export function nodeStatus(node: unknown): string {
  const status: string[] = [];
  // The last Ready condition wins, as upstream builds a map by type.
  const ready = list(node, 'status', 'conditions').filter((c) => str(c, 'type') === 'Ready').pop();
  if (ready !== undefined) status.push(str(ready, 'status') === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (bool(node, 'spec', 'unschedulable')) status.push('SchedulingDisabled');
  return status.join(',');
}

function address(node: unknown, type: string): string {
  const a = list(node, 'status', 'addresses').find((x) => str(x, 'type') === type);
  return a === undefined ? '<none>' : str(a, 'address');
}

const orUnknown = (s: string): string => (s === '' ? '<unknown>' : s);

export const nodePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    ageColumn(),
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'List of addresses reachable to the node.', { priority: 1 }),
    column('External-IP', 'List of addresses reachable to the node.', { priority: 1 }),
    column('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { priority: 1 }),
    column('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
    column('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { priority: 1 }),
  ],
  row(node, now) {
    const roles = nodeRoles(node).join(',');
    return [
      str(node, 'metadata', 'name'),
      nodeStatus(node),
      roles === '' ? '<none>' : roles,
      age(node, now),
      str(node, 'status', 'nodeInfo', 'kubeletVersion'),
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      orUnknown(str(node, 'status', 'nodeInfo', 'osImage')),
      orUnknown(str(node, 'status', 'nodeInfo', 'kernelVersion')),
      orUnknown(str(node, 'status', 'nodeInfo', 'containerRuntimeVersion')),
    ];
  },
};
