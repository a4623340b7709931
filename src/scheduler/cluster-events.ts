// Cluster events that can make unschedulable pods schedulable, and which plugins care about
// each (upstream's EventsToRegister): a pod rejected by plugin P is retried only on events P
// registered for, so a node label change does not wake pods waiting for CPU.
import { NODE_UNSCHEDULABLE } from './plugins/node-unschedulable.js';
import { NODE_NAME } from './plugins/node-name.js';
import { TAINT_TOLERATION } from './plugins/taint-toleration.js';
import { NODE_AFFINITY } from './plugins/node-affinity.js';
import { NODE_PORTS } from './plugins/node-ports.js';
import { NODE_RESOURCES_FIT } from './plugins/node-resources-fit.js';
import { VOLUME_BINDING } from './plugins/volume-binding.js';
import { POD_TOPOLOGY_SPREAD } from './plugins/pod-topology-spread.js';
import { INTER_POD_AFFINITY } from './plugins/inter-pod-affinity.js';
import type { Node } from './types.js';

export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeDelete'
  | 'NodeUpdateLabel'
  | 'NodeUpdateTaint'
  | 'NodeUpdateAllocatable'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete'
  | 'PvcChange'
  | 'PvChange'
  | 'StorageClassChange'
  | 'NamespaceChange'
  | 'UnschedulableTimeout';

const interest: Record<string, readonly ClusterEvent[]> = {
  [NODE_UNSCHEDULABLE]: ['NodeAdd', 'NodeUpdateTaint'],
  [NODE_NAME]: ['NodeAdd'],
  [TAINT_TOLERATION]: ['NodeAdd', 'NodeUpdateTaint'],
  [NODE_AFFINITY]: ['NodeAdd', 'NodeUpdateLabel'],
  [NODE_PORTS]: ['NodeAdd', 'AssignedPodDelete'],
  [NODE_RESOURCES_FIT]: ['NodeAdd', 'NodeUpdateAllocatable', 'AssignedPodDelete', 'AssignedPodUpdate'],
  [VOLUME_BINDING]: ['NodeAdd', 'NodeUpdateLabel', 'PvcChange', 'PvChange', 'StorageClassChange'],
  [POD_TOPOLOGY_SPREAD]: ['NodeAdd', 'NodeDelete', 'NodeUpdateLabel', 'NodeUpdateTaint', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete'],
  [INTER_POD_AFFINITY]: ['NodeAdd', 'NodeUpdateLabel', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NamespaceChange'],
};

/** Whether a pod rejected by these plugins may become schedulable after the event. */
export function eventMayHelp(event: ClusterEvent, plugins: ReadonlySet<string>): boolean {
  if (event === 'UnschedulableTimeout' || plugins.size === 0) return true;
  for (const p of plugins) {
    const evs = interest[p];
    if (!evs || evs.includes(event)) return true;
  }
  return false;
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** The node update events an old → new change amounts to (none for heartbeats and status noise). */
export function nodeUpdateEvents(old: Node, cur: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (json(old.metadata.labels) !== json(cur.metadata.labels)) out.push('NodeUpdateLabel');
  if (json(old.spec?.taints) !== json(cur.spec?.taints) || !!old.spec?.unschedulable !== !!cur.spec?.unschedulable) out.push('NodeUpdateTaint');
  if (json(old.status?.allocatable) !== json(cur.status?.allocatable)) out.push('NodeUpdateAllocatable');
  return out;
}
