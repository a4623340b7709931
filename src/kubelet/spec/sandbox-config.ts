// From a Pod to the CRI PodSandboxConfig of RunPodSandbox, as upstream's
// generatePodSandboxConfig: metadata, hostname, log directory, DNS, port mappings of all
// containers' ports, labels and annotations, and the linux part (cgroup parent, namespaces, users
// and groups, privileged, seccomp RuntimeDefault for the pause process, sysctls).
import type { PodSandboxConfig, PortMapping } from '../cri/types.js';
import { LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from './container-config.js';
import { dnsConfig, type DnsEvent } from './dns.js';
import { kernelHostname } from './hostname.js';
import { namespacesForPod } from './security-context.js';
import type { Pod } from './types.js';

export interface SandboxConfigOptions {
  attempt: number;
  /** `/var/log/pods/<ns>_<name>_<uid>` (see podLogDir). */
  logDir: string;
  podCgroupParent: string;
  clusterDns: string[];
  clusterDomain: string;
  /** Path of the node's resolv.conf ('' = none). */
  hostResolvConf: string;
  /** The node's hostname, set for host-network pods (otherwise the runtime fills it in). */
  nodeHostname?: string;
  /** DNS warnings (MissingClusterDNS, DNSConfigForming) for the kubelet to record on the pod. */
  onEvent?: (e: DnsEvent) => void;
}

export function podLogDir(rootDir: string, pod: Pod): string {
  return `${rootDir.replace(/\/$/, '')}/${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`;
}

export function sandboxLabels(pod: Pod): Record<string, string> {
  return {
    ...(pod.metadata.labels ?? {}),
    [LABEL_POD_NAME]: pod.metadata.name ?? '',
    [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? '',
    [LABEL_POD_UID]: pod.metadata.uid ?? '',
  };
}

/** Every container port (hostPort 0 included: the runtime maps only host ports), duplicates dropped. */
export function portMappings(pod: Pod): PortMapping[] {
  const seen = new Set<string>();
  const out: PortMapping[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      const protocol = p.protocol ?? 'TCP';
      const key = `${protocol}/${p.containerPort}/${p.hostPort ?? 0}/${p.hostIP ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ protocol, containerPort: p.containerPort, hostPort: p.hostPort ?? 0, hostIp: p.hostIP ?? '' });
    }
  }
  return out;
}

/** Slash-separated sysctl names (`net/ipv4/ip_forward`) become dotted, as upstream converts them. */
export function sysctlName(name: string): string {
  const firstSep = name.search(/[./]/);
  if (firstSep === -1 || name[firstSep] === '.') return name;
  return name.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

function hasPrivilegedContainer(pod: Pod): boolean {
  const all = [...pod.spec.containers, ...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])];
  return all.some((c) => c.securityContext?.privileged === true);
}

export function sandboxConfig(pod: Pod, opts: SandboxConfigOptions): PodSandboxConfig {
  const dns = dnsConfig(pod, opts);
  for (const e of dns.events) opts.onEvent?.(e);
  const hostname = pod.spec.hostNetwork ? (opts.nodeHostname ?? '') : kernelHostname(pod, opts.clusterDomain);
  const psc = pod.spec.securityContext;
  const sysctls: Record<string, string> = {};
  for (const s of psc?.sysctls ?? []) sysctls[sysctlName(s.name)] = s.value;
  const groups: number[] = [];
  if (psc?.fsGroup !== undefined) groups.push(psc.fsGroup);
  groups.push(...(psc?.supplementalGroups ?? []));
  const securityContext: NonNullable<NonNullable<PodSandboxConfig['linux']>['securityContext']> = {
    namespaceOptions: namespacesForPod(pod),
    privileged: hasPrivilegedContainer(pod),
    seccomp: { profileType: 'RuntimeDefault' },
  };
  if (psc?.runAsUser !== undefined) securityContext.runAsUser = { value: psc.runAsUser };
  if (psc?.runAsGroup !== undefined) securityContext.runAsGroup = { value: psc.runAsGroup };
  if (groups.length) securityContext.supplementalGroups = groups;
  return {
    metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', uid: pod.metadata.uid ?? '', attempt: opts.attempt },
    hostname,
    logDirectory: opts.logDir,
    dnsConfig: dns.config,
    portMappings: portMappings(pod),
    labels: sandboxLabels(pod),
    annotations: { ...(pod.metadata.annotations ?? {}) },
    linux: { cgroupParent: opts.podCgroupParent, securityContext, sysctls },
  };
}
