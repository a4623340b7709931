// Kubeconfig files for the admin, agents and components that talk to the API over TLS: one cluster,
// one user, one context, all named "default" as k3s writes them, with the certificates inlined as
// base64 `*-data` fields so the file stands alone.
import { parse, stringify } from 'yaml';
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

/** The current context's server, CA and client credentials (inline `*-data` or file paths, or a token). */
export interface KubeconfigCredentials {
  server: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
}

type Named<T> = { name?: string } & T;

/** Reads the current context of a kubeconfig; file references are resolved with `readFile`. */
export function parseKubeconfig(text: string, readFile: (path: string) => string): KubeconfigCredentials {
  const cfg = (parse(text) ?? {}) as {
    'current-context'?: string;
    contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
    clusters?: Named<{ cluster?: Record<string, string> }>[];
    users?: Named<{ user?: Record<string, string> }>[];
  };
  const ctx = cfg.contexts?.find((c) => c.name === cfg['current-context']) ?? cfg.contexts?.[0];
  const cluster = cfg.clusters?.find((c) => c.name === ctx?.context?.cluster)?.cluster ?? cfg.clusters?.[0]?.cluster;
  const user = cfg.users?.find((u) => u.name === ctx?.context?.user)?.user ?? cfg.users?.[0]?.user ?? {};
  if (!cluster?.server) throw new Error('the kubeconfig names no cluster server');
  const pem = (data: string | undefined, file: string | undefined) => (data ? Buffer.from(data, 'base64').toString('utf8') : file ? readFile(file) : undefined);
  return {
    server: cluster.server,
    caPem: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
    certPem: pem(user['client-certificate-data'], user['client-certificate']),
    keyPem: pem(user['client-key-data'], user['client-key']),
    token: user.token,
  };
}

/** A kubeconfig that refers to certificate files (as k3s's agent kubeconfigs do), so rotation only rewrites the files. */
export function renderKubeconfigWithFiles(o: { server: string; caFile: string; certFile: string; keyFile: string }): string {
  const config = {
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority': o.caFile, server: o.server }, name: 'default' }],
    contexts: [{ context: { cluster: 'default', user: 'default' }, name: 'default' }],
    'current-context': 'default',
    kind: 'Config',
    preferences: {},
    users: [{ name: 'default', user: { 'client-certificate': o.certFile, 'client-key': o.keyFile } }],
  };
  return stringify(config, { lineWidth: 0 });
}
