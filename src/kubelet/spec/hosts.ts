// The /etc/hosts the kubelet writes for each pod and mounts into its containers (containerd would
// otherwise copy the node's): localhost entries, the pod's IPs with its hostname (and FQDN when a
// subdomain is set), and hostAliases. Host-network pods get the node's own hosts file.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { podHostnameAndDomain } from './hostname.js';
import type { Pod } from './types.js';

const MANAGED_HEADER = '# Kubernetes-managed hosts file.\n';
const HOST_NETWORK_HEADER = '# Kubernetes-managed hosts file (host network).\n';

function aliasLines(pod: Pod): string {
  const aliases = pod.spec.hostAliases ?? [];
  if (aliases.length === 0) return '';
  return '\n# Entries added by HostAliases.\n' + aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`).join('');
}

/**
 * The hosts file content. podIPs: the pod's IPs (host-network pods: unused). nodeHosts: the
 * node's /etc/hosts content, required for host-network pods.
 */
export function hostsFile(pod: Pod, podIPs: string[], clusterDomain: string, nodeHosts?: string): string {
  if (pod.spec.hostNetwork) {
    if (nodeHosts === undefined) throw new Error('a host-network pod needs the node\'s hosts file');
    return HOST_NETWORK_HEADER + nodeHosts + aliasLines(pod);
  }
  const { hostname, domain } = podHostnameAndDomain(pod, clusterDomain);
  let out = MANAGED_HEADER
    + '127.0.0.1\tlocalhost\n'
    + '::1\tlocalhost ip6-localhost ip6-loopback\n'
    + 'fe00::0\tip6-localnet\n'
    + 'fe00::0\tip6-mcastprefix\n'
    + 'fe00::1\tip6-allnodes\n'
    + 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + aliasLines(pod);
}

/**
 * Writes `<podDir>/etc-hosts` (atomically) and returns its path, for containerConfig's hostsPath.
 * nodeHostsPath: the node's hosts file, read for host-network pods.
 */
export async function writeHostsFile(podDir: string, pod: Pod, podIPs: string[], clusterDomain: string, nodeHostsPath = '/etc/hosts'): Promise<string> {
  const nodeHosts = pod.spec.hostNetwork ? await readFile(nodeHostsPath, 'utf8') : undefined;
  const path = join(podDir, 'etc-hosts');
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, hostsFile(pod, podIPs, clusterDomain, nodeHosts), { mode: 0o644 });
  await rename(tmp, path);
  return path;
}
