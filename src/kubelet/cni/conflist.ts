// The node's CNI network: a bridge (gateway .1 of the pod CIDR; no masquerade: the agent's own
// rules masquerade only what leaves the cluster) with host-local IPAM, and portmap for hostPorts; containerd adds loopback itself and
// reloads the file without a restart. Names are per data dir because several clusters share a
// machine: see docs/runtime.md ("CNI names").
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../util/fs.js';
import { containerdPaths } from '../containerd/paths.js';

export const DEFAULT_DATA_DIR = '/var/lib/kts';
export const CONFLIST_NAME = '10-kts.conflist';

export interface CniNames {
  /** CNI network name: the CNI-* iptables rules and host-local's folder carry it. */
  network: string;
  /** Linux bridge (≤ 15 characters). */
  bridge: string;
  /** Where host-local records allocated IPs (instead of the shared /var/lib/cni/networks). */
  ipamDir: string;
}

/** The default data dir gets k3s's `cni0`; any other `kts` + 8 hex of its path's sha256. */
export function cniNames(dataDir: string): CniNames {
  const abs = resolve(dataDir);
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 8);
  const isDefault = abs === DEFAULT_DATA_DIR;
  return {
    network: isDefault ? 'kts' : `kts-${hash}`,
    bridge: isDefault ? 'cni0' : `kts${hash}`,
    ipamDir: join(abs, 'agent', 'cni', 'networks'),
  };
}

export interface CniConfigOptions {
  confDir: string;
  bridge: string;
  podCidr: string;
  mtu?: number;
  network?: string;
  ipamDir?: string;
}

/** Parses an IPv4 CIDR; IPv6 and malformed input are errors (single-stack IPv4 for now). */
export function parseIpv4Cidr(cidr: string): { base: number; bits: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) throw new Error(`pod CIDR "${cidr}" is not an IPv4 CIDR (IPv6 pod networks are not supported yet)`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 30 || bits < 8) throw new Error(`pod CIDR "${cidr}" is not a usable IPv4 network (prefix /8 to /30)`);
  const ip = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ip & mask) >>> 0, bits };
}

const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

export function renderCniConfig(o: CniConfigOptions): string {
  const { base, bits } = parseIpv4Cidr(o.podCidr);
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(o.bridge)) throw new Error(`bridge name "${o.bridge}" must be 1-15 letters, digits, '.', '_' or '-'`);
  const subnet = `${dotted(base)}/${bits}`;
  const bridge: Record<string, unknown> = {
    type: 'bridge',
    bridge: o.bridge,
    isGateway: true,
    // Pod traffic leaving the cluster is masqueraded by the agent (src/agent/pod-masquerade.ts):
    // the plugin's own would also NAT traffic to other nodes' pods.
    ipMasq: false,
    hairpinMode: true,
    ...(o.mtu ? { mtu: o.mtu } : {}),
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet, gateway: dotted(base + 1) }]],
      routes: [{ dst: '0.0.0.0/0' }],
      ...(o.ipamDir ? { dataDir: o.ipamDir } : {}),
    },
  };
  const conf = {
    cniVersion: '1.0.0',
    name: o.network ?? 'kts',
    plugins: [bridge, { type: 'portmap', snat: true, capabilities: { portMappings: true } }],
  };
  return JSON.stringify(conf, null, 2) + '\n';
}

/** Writes the conflist (atomically: containerd watches the folder); returns its path. */
export async function writeCniConfig(o: CniConfigOptions): Promise<string> {
  const text = renderCniConfig(o);
  await mkdir(o.confDir, { recursive: true });
  if (o.ipamDir) await mkdir(o.ipamDir, { recursive: true });
  const path = join(o.confDir, CONFLIST_NAME);
  await writeFileAtomic(path, text);
  return path;
}

/** The whole network of a node from its data dir and pod CIDR (what the kubelet calls). */
export async function writeNodeCniConfig(dataDir: string, podCidr: string, mtu?: number): Promise<string> {
  const names = cniNames(dataDir);
  return writeCniConfig({ confDir: containerdPaths(dataDir).cniConfDir, bridge: names.bridge, network: names.network, ipamDir: names.ipamDir, podCidr, mtu });
}
