// Kubeconfig files for the admin (and for components that talk to the API over TLS): one cluster,
// one user, one context, all named "default" as k3s writes them, with the certificates inlined as
// base64 `*-data` fields so the file stands alone.
import { stringify } from 'yaml';
import { writeFileAtomic } from '../util/fs.js';

export { writeFileAtomic };

export interface KubeconfigOptions {
  /** The API server URL, e.g. https://127.0.0.1:6443. */
  server: string;
  /** PEM of the CA that signed the server's serving certificate. */
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  clusterName?: string;
  userName?: string;
  contextName?: string;
}

const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

/** The kubeconfig YAML, in the layout `kubectl config view --raw` prints. */
export function renderKubeconfig(opts: KubeconfigOptions): string {
  const cluster = opts.clusterName ?? 'default';
  const user = opts.userName ?? 'default';
  const context = opts.contextName ?? 'default';
  const config = {
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': b64(opts.caPem), server: opts.server }, name: cluster }],
    contexts: [{ context: { cluster, user }, name: context }],
    'current-context': context,
    kind: 'Config',
    preferences: {},
    users: [{ name: user, user: { 'client-certificate-data': b64(opts.clientCertPem), 'client-key-data': b64(opts.clientKeyPem) } }],
  };
  // lineWidth 0: never fold the long base64 strings.
  return stringify(config, { lineWidth: 0 });
}
