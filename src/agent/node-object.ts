// What a simulated node looks like to the API: its Node object (capacity, labels, taints,
// addresses, nodeInfo, the four kubelet conditions) and its Lease in kube-node-lease. Pure
// builders; the heartbeat and registration code decide when to send them.
import type { KObject } from '../api/types.js';
import type { SimulatedAgentConfig } from './config.js';

export const KUBELET_VERSION = 'v1.32.4-kts-sim';
export const RUNTIME_VERSION = 'simulated://0.1';
export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export function nowMicro(): string {
  return new Date().toISOString().replace('Z', '000Z');
}

/** A fake, stable InternalIP: 10.<hash of prefix>.<index / 254>.<index % 254 + 1> (data only). */
export function nodeAddress(prefix: string, index: number): string {
  let h = 0;
  for (let i = 0; i < prefix.length; i++) h = (h * 31 + prefix.charCodeAt(i)) >>> 0;
  return `10.${h % 256}.${Math.floor(index / 254) % 256}.${(index % 254) + 1}`;
}

/** The conditions a healthy kubelet reports (reasons and messages as upstream's kubelet). */
export function healthyConditions(transitions: Map<string, string> | undefined): NodeCondition[] {
  const now = nowRfc3339();
  const c = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => ({
    type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: transitions?.get(`${type}=${status}`) ?? now,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** lastTransitionTime of each condition that already has the status we are about to post. */
export function transitionsOf(node: KObject | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const conds = ((node?.status as { conditions?: NodeCondition[] } | undefined)?.conditions) ?? [];
  for (const c of conds) if (c.lastTransitionTime) out.set(`${c.type}=${c.status}`, c.lastTransitionTime);
  return out;
}

export function nodeStatus(cfg: SimulatedAgentConfig, address: string, name: string, transitions?: Map<string, string>): Record<string, unknown> {
  const resources = { cpu: cfg.cpu, memory: cfg.memory, pods: cfg.pods, 'ephemeral-storage': cfg.ephemeralStorage };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: healthyConditions(transitions),
    addresses: [
      { type: 'InternalIP', address },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: '', systemUUID: '', bootID: '',
      kernelVersion: '6.1.0-kts-simulated',
      osImage: 'kts simulated node',
      containerRuntimeVersion: RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

export function nodeLabels(cfg: SimulatedAgentConfig, name: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'kts-simulated',
    type: 'kts-simulated',
    ...cfg.labels,
  };
}

export function nodeObject(cfg: SimulatedAgentConfig, name: string, address: string): KObject {
  const spec: Record<string, unknown> = {};
  if (cfg.taints.length) spec.taints = cfg.taints.map((t) => ({ ...t }));
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: nodeLabels(cfg, name),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kts.io/simulated': 'true' },
    },
    spec,
    status: nodeStatus(cfg, address, name),
  };
}

/** The node's Lease, owned by the Node so it goes when the node goes (as the kubelet sets it). */
export function leaseObject(name: string, nodeUid: string | undefined): KObject {
  const now = nowMicro();
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
  };
}
