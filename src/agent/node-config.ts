// The real node agent's configuration (k3s's flag names): raw flags → a validated
// NodeAgentConfig, shared by `kts server` (agent in-process) and `kts agent`.
import { hostname, networkInterfaces } from 'node:os';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { isDNS1123Subdomain } from '../api/validation/names.js';
import type { TaintLike } from '../api/scheduling.js';
import { AgentConfigError, parseTaint } from './config.js';

export interface NodeAgentConfig {
  dataDir: string;
  nodeName: string;
  nodeIp: string;
  /** The kubelet's HTTPS port (0 = random, for tests). */
  kubeletPort: number;
  containerRuntimeEndpoint?: string;
  clusterDns: string[];
  clusterDomain: string;
  resolvConf: string;
  labels: Record<string, string>;
  taints: TaintLike[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** k3s's --disable-kube-proxy: no service rules on this node. */
  disableKubeProxy?: boolean;
}

export interface RawNodeFlags {
  'node-name'?: string;
  'node-ip'?: string;
  'node-label'?: string[];
  'node-taint'?: string[];
  'container-runtime-endpoint'?: string;
  'kubelet-port'?: string;
  'cluster-dns'?: string;
  'cluster-domain'?: string;
  'resolv-conf'?: string;
  'disable-kube-proxy'?: boolean;
}

/** The first non-internal IPv4 address of this machine (127.0.0.1 when there is none). */
export function primaryIp(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function buildNodeAgentConfig(f: RawNodeFlags, o: { dataDir: string; clusterDns: string; logLevel: NodeAgentConfig['logLevel'] }): NodeAgentConfig {
  const nodeName = (f['node-name'] ?? hostname()).toLowerCase();
  const nameErrs = isDNS1123Subdomain(nodeName);
  if (nameErrs.length) throw new AgentConfigError(`--node-name "${nodeName}" is not a valid node name: ${nameErrs.join('; ')}`);
  const nodeIp = f['node-ip'] ?? primaryIp();
  if (!isIP(nodeIp)) throw new AgentConfigError(`--node-ip: "${nodeIp}" is not an IP address`);
  const port = Number(f['kubelet-port'] ?? '10250');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AgentConfigError(`--kubelet-port: invalid port "${f['kubelet-port']}"`);
  const clusterDns = (f['cluster-dns'] ?? o.clusterDns).split(',').map((s) => s.trim()).filter(Boolean);
  for (const ip of clusterDns) if (!isIP(ip)) throw new AgentConfigError(`--cluster-dns: "${ip}" is not an IP address`);
  const clusterDomain = f['cluster-domain'] ?? 'cluster.local';
  if (isDNS1123Subdomain(clusterDomain).length) throw new AgentConfigError(`--cluster-domain: "${clusterDomain}" is not a valid domain`);
  // As k3s: systemd-resolved's stub points at 127.0.0.53, unusable inside pods; prefer the real file.
  let resolvConf = f['resolv-conf'] ?? '/etc/resolv.conf';
  if (!f['resolv-conf'] && existsSync('/run/systemd/resolve/resolv.conf')) resolvConf = '/run/systemd/resolve/resolv.conf';
  const labels: Record<string, string> = {};
  for (const l of f['node-label'] ?? []) {
    const i = l.indexOf('=');
    if (i <= 0) throw new AgentConfigError(`--node-label: "${l}" is not KEY=VALUE`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  let taints: TaintLike[];
  try {
    taints = (f['node-taint'] ?? []).map(parseTaint);
  } catch (e) {
    throw new AgentConfigError(`--node-taint: ${(e as Error).message}`);
  }
  const endpoint = f['container-runtime-endpoint'];
  return { dataDir: o.dataDir, nodeName, nodeIp, kubeletPort: port, containerRuntimeEndpoint: endpoint, clusterDns, clusterDomain, resolvConf, labels, taints, logLevel: o.logLevel, disableKubeProxy: f['disable-kube-proxy'] ?? false };
}
