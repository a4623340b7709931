// Where a pod's streaming request goes: the container (defaulted as upstream when the pod has
// one), the pod's node, and that node's kubelet endpoint (address and daemon port from the Node).
import type { KObject } from '../../api/types.js';
import { badRequest } from '../../api/errors.js';
import type { Store } from '../registry/store.js';

export interface KubeletEndpoint {
  host: string;
  port: number;
}

interface Named { name?: string }

function names(list: unknown): string[] {
  return Array.isArray(list) ? (list as Named[]).map((c) => c.name ?? '') : [];
}

/** Upstream's container defaulting and check (pkg/registry/core/pod/strategy.go). */
export function resolveContainer(pod: KObject, requested: string): string {
  const spec = (pod.spec ?? {}) as { containers?: unknown; initContainers?: unknown; ephemeralContainers?: unknown };
  const containers = names(spec.containers);
  const inits = names(spec.initContainers);
  const ephemeral = names(spec.ephemeralContainers);
  const podName = pod.metadata.name ?? '';
  if (!requested) {
    if (containers.length === 1) return containers[0]!;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`);
    let msg = `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`;
    if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
    throw badRequest(msg);
  }
  if (![...containers, ...inits, ...ephemeral].includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  return requested;
}

export function nodeNameOf(pod: KObject): string {
  return ((pod.spec ?? {}) as { nodeName?: string }).nodeName ?? '';
}

/** The kubelet of `nodeName`: InternalIP (else Hostname) and status.daemonEndpoints.kubeletEndpoint.Port. */
export async function kubeletEndpoint(nodes: Store, nodeName: string, defaultPort: number): Promise<KubeletEndpoint> {
  const node = await nodes.get('', nodeName);
  const status = (node.status ?? {}) as { addresses?: { type?: string; address?: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
  const addrs = status.addresses ?? [];
  const host = addrs.find((a) => a.type === 'InternalIP' && a.address)?.address ?? addrs.find((a) => a.type === 'Hostname' && a.address)?.address;
  if (!host) throw badRequest(`no preferred addresses found; known addresses: [${addrs.map((a) => `{${a.type} ${a.address}}`).join(' ')}]`);
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port || defaultPort;
  return { host, port };
}
