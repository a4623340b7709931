// Getting a certificate through the CertificateSigningRequest API, as the kubelet's certificate
// manager does: a new RSA key, a CSR for the subject and names, POSTed as a
// CertificateSigningRequest named after its content, then waiting until it is issued (or denied,
// or failed, or the wait times out), each with a message that says what to do.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { StatusError } from '../api/errors.js';
import { createCsrPem } from '../api/csr.js';
import type { KObject } from '../api/types.js';
import { resourcePath } from '../client/rest-client.js';
import type { RestClient } from '../client/rest-client.js';
import { sleep } from '../util/sleep.js';

export interface CertificateRequest {
  signerName: string;
  usages: string[];
  subject: { cn: string; o?: string[] };
  sans?: { dns?: string[]; ips?: string[] };
  /** Requested validity; the signer may grant less. */
  expirationSeconds?: number;
}

export interface IssuedCertificate { certPem: string; keyPem: string; csrName: string }

export class CertificateRequestError extends Error {}

const CSRS = (name?: string) => resourcePath('certificates.k8s.io', 'v1', 'certificatesigningrequests', undefined, name);

interface CsrStatus { conditions?: { type?: string; status?: string; reason?: string; message?: string }[]; certificate?: string }

export async function requestCertificate(client: RestClient, req: CertificateRequest, signal: AbortSignal, timeoutMs = 300_000, pollMs = 250): Promise<IssuedCertificate> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const csrPem = createCsrPem(privateKey, req.subject, req.sans);
  // Upstream names kubelet CSRs node-csr-<digest>; the digest covers the key, so each request is new.
  const csrName = `node-csr-${createHash('sha256').update(csrPem).digest('base64url').slice(0, 43)}`;
  const body = {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: csrName },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: req.signerName, usages: req.usages, ...(req.expirationSeconds ? { expirationSeconds: req.expirationSeconds } : {}) },
  };
  try {
    await client.create(CSRS(), body);
  } catch (e) {
    if (e instanceof StatusError && e.code === 401) throw new CertificateRequestError('the server refused the credentials (401 Unauthorized): the token is wrong, expired or deleted; create a new one with `kts token create` on the server');
    if (e instanceof StatusError && e.code === 403) throw new CertificateRequestError(`the server does not allow this identity to request certificates: ${e.message}`);
    throw e;
  }
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted) {
    const csr = await client.get<KObject>(CSRS(csrName));
    const status = (csr.status ?? {}) as CsrStatus;
    const cond = (t: string) => status.conditions?.find((c) => c.type === t && c.status === 'True');
    const denied = cond('Denied');
    if (denied) throw new CertificateRequestError(`the certificate signing request ${csrName} was denied${denied.reason ? ` (${denied.reason})` : ''}${denied.message ? `: ${denied.message}` : ''}`);
    const failed = cond('Failed');
    if (failed) throw new CertificateRequestError(`the certificate signing request ${csrName} failed${failed.reason ? ` (${failed.reason})` : ''}${failed.message ? `: ${failed.message}` : ''}`);
    if (status.certificate) return { certPem: Buffer.from(status.certificate, 'base64').toString('utf8'), keyPem: privateKey, csrName };
    if (Date.now() > deadline) {
      const state = cond('Approved') ? 'approved but not issued (is its signer running?)' : `not approved; approve it with: kubectl certificate approve ${csrName}`;
      throw new CertificateRequestError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for certificate signing request ${csrName}: it is ${state}`);
    }
    await sleep(pollMs, signal);
  }
  throw new CertificateRequestError('stopped while waiting for the certificate');
}
