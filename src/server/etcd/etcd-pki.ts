// The embedded etcd's certificates, under <data-dir>/server/tls/etcd/ (k3s's place): one CA that
// every member of the cluster shares (joining servers receive it), and per member a certificate
// for its client port, one for its peer port (both serverAuth + clientAuth: etcd's gRPC gateway
// dials its own client port, and peers dial each other), and kts's client certificate. Created
// on first start, reused after; a leaf missing a requested SAN is reissued by the same CA.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { ensureCa, ensureLeaf, signClientCert, signServerClientCert } from '../pki.js';
import type { CertKeyPair, Sans } from '../pki.js';

const LEAF_DAYS = 365;

export interface EtcdPkiFiles {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  peerCertFile: string;
  peerKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  ca: CertKeyPair;
  client: CertKeyPair;
}

export function etcdTlsDir(serverDir: string): string {
  return join(serverDir, 'tls', 'etcd');
}

/** Creates or reuses the etcd CA and this member's certificates (SANs: `sans` plus loopback and localhost). */
export async function ensureEtcdPki(serverDir: string, sans: Sans, log: (m: string) => void): Promise<EtcdPkiFiles> {
  const dir = etcdTlsDir(serverDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await ensureCa(dir, 'ca', 'kts-etcd-ca', log);
  const want = { dns: [...new Set(['localhost', ...sans.dns.map((d) => d.toLowerCase())])], ips: [...new Set(['127.0.0.1', ...sans.ips])] };
  const leaf = (base: string, cn: string) =>
    ensureLeaf(dir, base, ca, log, (info) => {
      const missing = [...want.dns.filter((d) => !info.sans.dns.includes(d)), ...want.ips.filter((ip) => !info.sans.ips.includes(ip))];
      return missing.length ? `SANs ${missing.join(', ')} are missing` : undefined;
    }, () => signServerClientCert(ca, cn, want, LEAF_DAYS), Date.now());
  await leaf('server-client', 'etcd-server');
  await leaf('peer-server-client', 'etcd-peer');
  const client = await ensureLeaf(dir, 'client', ca, log, (info) => (info.subject.cn === 'etcd-client' ? undefined : 'its subject is not etcd-client'), () => signClientCert(ca, { cn: 'etcd-client' }, LEAF_DAYS), Date.now());
  const f = (base: string) => [join(dir, `${base}.crt`), join(dir, `${base}.key`)] as const;
  const [serverCertFile, serverKeyFile] = f('server-client');
  const [peerCertFile, peerKeyFile] = f('peer-server-client');
  const [clientCertFile, clientKeyFile] = f('client');
  return { dir, caFile: join(dir, 'ca.crt'), serverCertFile, serverKeyFile, peerCertFile, peerKeyFile, clientCertFile, clientKeyFile, ca, client };
}
