// A RestClient for admin commands run on the server host: the admin kubeconfig the server wrote
// into its data dir (or --kubeconfig), as k3s's subcommands talk to the local server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RestClient } from '../client/rest-client.js';

interface Kubeconfig {
  clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
  users?: { user?: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
}

export function adminClient(dataDir: string, kubeconfig?: string): RestClient {
  const path = kubeconfig ?? join(dataDir, 'admin.kubeconfig');
  let kc: Kubeconfig;
  try {
    kc = parseYaml(readFileSync(path, 'utf8')) as Kubeconfig;
  } catch (e) {
    throw new Error(`cannot read ${path} (is the server running with this --data-dir?): ${(e as Error).message}`, { cause: e });
  }
  const cluster = kc.clusters?.[0]?.cluster;
  const user = kc.users?.[0]?.user;
  const b64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  if (!cluster?.server || !user?.['client-certificate-data']) throw new Error(`${path}: not an admin kubeconfig with embedded client certificate`);
  return new RestClient({ server: cluster.server, caPem: b64(cluster['certificate-authority-data']) ?? '', certPem: b64(user['client-certificate-data']), keyPem: b64(user['client-key-data']), userAgent: 'kts-cli' });
}
