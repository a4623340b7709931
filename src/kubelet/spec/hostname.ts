// The pod's hostname and domain as the kubelet derives them: spec.hostname or the pod name, cut to
// 63 characters (no trailing '-' or '.'), and `<subdomain>.<ns>.svc.<clusterDomain>` when a
// subdomain is set; setHostnameAsFQDN makes the kernel hostname the FQDN (at most 64 characters).
import type { Pod } from './types.js';

const HOSTNAME_MAX = 63;
const FQDN_MAX = 64;

export function podHostnameAndDomain(pod: Pod, clusterDomain: string): { hostname: string; domain: string } {
  const name = pod.metadata.name ?? '';
  const hostname = truncateHostname(name, pod.spec.hostname || name);
  const domain = pod.spec.subdomain ? `${pod.spec.subdomain}.${pod.metadata.namespace}.svc.${clusterDomain}` : '';
  return { hostname, domain };
}

export function truncateHostname(podName: string, hostname: string): string {
  if (hostname.length <= HOSTNAME_MAX) return hostname;
  const truncated = hostname.slice(0, HOSTNAME_MAX).replace(/[-.]+$/, '');
  if (!truncated) throw new Error(`hostname for pod ${JSON.stringify(podName)} was invalid: ${JSON.stringify(hostname)}`);
  return truncated;
}

/** The hostname the sandbox's UTS namespace gets. */
export function kernelHostname(pod: Pod, clusterDomain: string): string {
  const { hostname, domain } = podHostnameAndDomain(pod, clusterDomain);
  if (!pod.spec.setHostnameAsFQDN || !domain) return hostname;
  const fqdn = `${hostname}.${domain}`;
  if (fqdn.length > FQDN_MAX) {
    throw new Error(`failed to construct FQDN from pod hostname and cluster domain, FQDN ${fqdn} is too long (${FQDN_MAX} characters is the max, ${fqdn.length} characters requested)`);
  }
  return fqdn;
}
