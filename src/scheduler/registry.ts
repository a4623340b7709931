// The plugin registry (name → constructor) and the default profile: plugins in upstream's
// order (filters run in this order and stop at the first rejection) with upstream's default
// score weights.
import type { Handle, Plugin, PluginFactory } from './framework.js';
import { NodeUnschedulable, NODE_UNSCHEDULABLE } from './plugins/node-unschedulable.js';
import { NodeName, NODE_NAME } from './plugins/node-name.js';
import { TaintToleration, TAINT_TOLERATION } from './plugins/taint-toleration.js';
import { NodeAffinity, NODE_AFFINITY } from './plugins/node-affinity.js';
import { NodePorts, NODE_PORTS } from './plugins/node-ports.js';
import { NodeResourcesFit, NODE_RESOURCES_FIT } from './plugins/node-resources-fit.js';
import { VolumeBinding, VOLUME_BINDING } from './plugins/volume-binding.js';
import { PodTopologySpread, POD_TOPOLOGY_SPREAD } from './plugins/pod-topology-spread.js';
import { InterPodAffinity, INTER_POD_AFFINITY } from './plugins/inter-pod-affinity.js';
import { DefaultPreemption, DEFAULT_PREEMPTION } from './plugins/default-preemption.js';
import { BalancedAllocation, BALANCED_ALLOCATION } from './plugins/balanced-allocation.js';
import { ImageLocality, IMAGE_LOCALITY } from './plugins/image-locality.js';
import { DefaultBinder, DEFAULT_BINDER } from './plugins/default-binder.js';

export const registry: ReadonlyMap<string, PluginFactory> = new Map<string, PluginFactory>([
  [NODE_UNSCHEDULABLE, () => new NodeUnschedulable()],
  [NODE_NAME, () => new NodeName()],
  [TAINT_TOLERATION, () => new TaintToleration()],
  [NODE_AFFINITY, () => new NodeAffinity()],
  [NODE_PORTS, () => new NodePorts()],
  [NODE_RESOURCES_FIT, () => new NodeResourcesFit()],
  [VOLUME_BINDING, (h) => new VolumeBinding(h)],
  [POD_TOPOLOGY_SPREAD, (h) => new PodTopologySpread(h)],
  [INTER_POD_AFFINITY, (h) => new InterPodAffinity(h)],
  [DEFAULT_PREEMPTION, (h) => new DefaultPreemption(h)],
  [BALANCED_ALLOCATION, () => new BalancedAllocation()],
  [IMAGE_LOCALITY, (h) => new ImageLocality(h)],
  [DEFAULT_BINDER, (h) => new DefaultBinder(h)],
]);

/** The default profile: every registered plugin, with upstream's score weights. */
export const defaultProfile: readonly { name: string; weight?: number }[] = [
  { name: NODE_UNSCHEDULABLE },
  { name: NODE_NAME },
  { name: TAINT_TOLERATION, weight: 3 },
  { name: NODE_AFFINITY, weight: 2 },
  { name: NODE_PORTS },
  { name: NODE_RESOURCES_FIT, weight: 1 },
  { name: VOLUME_BINDING },
  { name: POD_TOPOLOGY_SPREAD, weight: 2 },
  { name: INTER_POD_AFFINITY, weight: 2 },
  { name: DEFAULT_PREEMPTION },
  { name: BALANCED_ALLOCATION, weight: 1 },
  { name: IMAGE_LOCALITY, weight: 1 },
  { name: DEFAULT_BINDER },
];

export function buildPlugins(h: Handle, profile = defaultProfile): { plugin: Plugin; weight?: number }[] {
  return profile.map(({ name, weight }) => {
    const f = registry.get(name);
    if (!f) throw new Error(`unknown scheduler plugin ${name}`);
    return { plugin: f(h), weight };
  });
}
