// Kubelet TLS bootstrap, as upstream's kubelet and k3s's agent do it: the join token is used only to
// request the node's own client certificate (CSR, signer kube-apiserver-client-kubelet, CN
// system:node:<name>, O system:nodes, auto-approved for bootstrappers); from then on the node
// talks with that certificate alone, renews it (selfnodeclient) before expiry, and gets a serving
// certificate for its kubelet port (signer kubelet-serving) the same way. See docs/joining.md.
import { X509Certificate } from 'node:crypto';
import type { Logger } from '../util/log.js';
import { RestClient } from '../client/rest-client.js';
import { sleep } from '../util/sleep.js';
import { requestCertificate, CertificateRequestError } from './csr-request.js';
import { runRotation, type CertPair } from './cert-rotation.js';
import {
  KUBELET_CLIENT_USAGES, KUBELET_SERVING_USAGES, loadNodeCredentials, loadServingPair, writeNodeCredentials, writeServingPair,
  type NodeCredentials,
} from './node-credentials.js';

export const SIGNER_KUBELET_CLIENT = 'kubernetes.io/kube-apiserver-client-kubelet';
export const SIGNER_KUBELET_SERVING = 'kubernetes.io/kubelet-serving';

export interface NodeClientOptions {
  server: string;
  /** The server's CA, already trusted (pinned hash or --ca-cert); unused when stored credentials are reused. */
  caPem?: string;
  nodeName: string;
  agentDir: string;
  /** Bearer token for the first CSR; not needed while stored credentials are valid. */
  bootstrapToken?: string;
  userAgent: string;
  log: Logger;
  /** Requested validity of issued certificates (tests ask for short ones). */
  expirationSeconds?: number;
  /** How long to wait for approval and issuance (default 5 min). */
  waitTimeoutMs?: number;
}

export interface NodeClient {
  client: RestClient;
  creds: NodeCredentials;
  /** True when the certificate was issued now (false: reused from disk). */
  issued: boolean;
}

const clientSubject = (node: string) => ({ cn: `system:node:${node}`, o: ['system:nodes'] });

/** The stored node credentials, if valid, else a new client certificate obtained with the token. */
export async function obtainNodeClient(o: NodeClientOptions, signal: AbortSignal): Promise<NodeClient> {
  const stored = loadNodeCredentials(o.agentDir, o.nodeName, o.server);
  if (stored.creds) {
    o.log.info(`using the node's client certificate from ${o.agentDir} (valid until ${validTo(stored.creds.certPem)})`);
    return { client: new RestClient({ ...stored.creds, userAgent: o.userAgent }), creds: stored.creds, issued: false };
  }
  if (!o.bootstrapToken) throw new CertificateRequestError(`no usable node certificate (${stored.why}) and no --token to request one`);
  if (!o.caPem) throw new CertificateRequestError('the server CA is not known: pass --ca-cert-hash (or --ca-cert)');
  o.log.info(`requesting a client certificate for system:node:${o.nodeName} (${stored.why})`);
  const bootstrap = new RestClient({ server: o.server, caPem: o.caPem, token: o.bootstrapToken, userAgent: o.userAgent });
  let pair: CertPair;
  try {
    pair = await requestCertificate(bootstrap, { signerName: SIGNER_KUBELET_CLIENT, usages: KUBELET_CLIENT_USAGES, subject: clientSubject(o.nodeName), expirationSeconds: o.expirationSeconds }, signal, o.waitTimeoutMs);
  } finally {
    bootstrap.close();
  }
  const creds = { server: o.server, caPem: o.caPem, ...pair };
  await writeNodeCredentials(o.agentDir, creds);
  o.log.info(`client certificate for system:node:${o.nodeName} issued (valid until ${validTo(pair.certPem)}), kubeconfig written to ${o.agentDir}/kubelet.kubeconfig`);
  return { client: new RestClient({ ...creds, userAgent: o.userAgent }), creds, issued: true };
}

/** Renews the node's client certificate (as the node itself) until `signal` aborts. */
export function rotateNodeClient(nc: NodeClient, o: NodeClientOptions, signal: AbortSignal): Promise<void> {
  return runRotation({
    what: 'kubelet client certificate',
    current: nc.creds,
    renew: () => requestCertificate(nc.client, { signerName: SIGNER_KUBELET_CLIENT, usages: KUBELET_CLIENT_USAGES, subject: clientSubject(o.nodeName), expirationSeconds: o.expirationSeconds }, signal, o.waitTimeoutMs),
    apply: async (pair) => {
      nc.creds = { ...nc.creds, ...pair };
      await writeNodeCredentials(o.agentDir, nc.creds);
      nc.client.setClientCertificate(pair.certPem, pair.keyPem);
    },
    log: o.log,
  }, signal);
}

export interface ServingOptions {
  client: RestClient;
  nodeName: string;
  agentDir: string;
  sans: { dns: string[]; ips: string[] };
  log: Logger;
  /** Installs a new serving certificate in the kubelet endpoint. */
  install(pair: CertPair): void;
  expirationSeconds?: number;
  waitTimeoutMs?: number;
}

/** The stored serving certificate when it is valid and names these SANs (use it from the start). */
export function storedServingPair(agentDir: string, nodeName: string, sans: { dns: string[]; ips: string[] }): CertPair | undefined {
  return loadServingPair(agentDir, nodeName, sans);
}

/**
 * Gets the kubelet's serving certificate through a kubelet-serving CSR (approved once the Node
 * is registered with these addresses), installs it, and renews it, until `signal` aborts.
 */
export async function runServingCertificate(o: ServingOptions, signal: AbortSignal): Promise<void> {
  const request = () => requestCertificate(o.client, { signerName: SIGNER_KUBELET_SERVING, usages: KUBELET_SERVING_USAGES, subject: clientSubject(o.nodeName), sans: o.sans, expirationSeconds: o.expirationSeconds }, signal, o.waitTimeoutMs);
  const apply = async (pair: CertPair) => {
    await writeServingPair(o.agentDir, pair);
    o.install(pair);
  };
  let current = storedServingPair(o.agentDir, o.nodeName, o.sans);
  let backoff = 5000;
  while (!current && !signal.aborted) {
    try {
      const pair = await request();
      await apply(pair);
      current = pair;
      o.log.info(`kubelet serving certificate issued for ${[...o.sans.dns, ...o.sans.ips].join(', ')} (valid until ${validTo(pair.certPem)})`);
    } catch (e) {
      if (signal.aborted) return;
      o.log.warn(`requesting the kubelet serving certificate failed (retrying in ${backoff / 1000} s): ${(e as Error).message}`);
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 300_000);
    }
  }
  if (!current) return;
  await runRotation({ what: 'kubelet serving certificate', current, renew: request, apply, log: o.log }, signal);
}

function validTo(certPem: string): string {
  return new Date(new X509Certificate(certPem).validTo).toISOString();
}
