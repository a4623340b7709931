// Where a joined node's pods send their DNS queries when `kts agent` is not told (--cluster-dns):
// the server's, not a guess. k3s's agent reads the server's configuration for this; here the API
// says it: the kube-dns Service's address, or, with cluster DNS disabled on the server, the tenth
// address of the service CIDR (where `kts server` puts it), found from the `kubernetes` Service
// at its first address. Only when neither can be read does the default 10.43.0.10 stay.
import { isIPv4 } from 'node:net';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';

export const DEFAULT_CLUSTER_DNS = '10.43.0.10';

/** The part of RestClient used here. */
export interface ServiceReader {
  get<T>(path: string): Promise<T>;
}

type Svc = { spec?: { clusterIP?: string } };

export async function discoverClusterDns(client: ServiceReader): Promise<{ ip: string; from: string }> {
  const clusterIp = async (ns: string, name: string) => {
    try {
      const ip = (await client.get<Svc>(resourcePath('', 'v1', 'services', ns, name))).spec?.clusterIP;
      return ip && isIPv4(ip) ? ip : undefined;
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    }
  };
  const dns = await clusterIp('kube-system', 'kube-dns');
  if (dns) return { ip: dns, from: 'the kube-dns Service' };
  const api = await clusterIp('default', 'kubernetes');
  if (api) {
    const n = api.split('.').reduce((a, o) => a * 256 + Number(o), 0) + 9;
    return { ip: [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.'), from: `the service CIDR (the kubernetes Service is ${api})` };
  }
  return { ip: DEFAULT_CLUSTER_DNS, from: 'the default (the server has neither a kube-dns nor a kubernetes Service)' };
}
