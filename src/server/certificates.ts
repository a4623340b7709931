// The certificate controllers in the server process, because they sign with the cluster's CA
// keys (which never leave the server): CSR auto-approval and signing. Loopback API client.
import type { Logger } from '../util/log.js';
import { RestClient } from '../client/rest-client.js';
import { runCertificateControllers } from '../controllers/certificates/run.js';
import type { ApprovalCheck } from '../controllers/certificates/approver.js';
import type { Pki } from './pki.js';

/** Upstream's default --cluster-signing-duration: one year. */
export const SIGNING_DURATION_MS = 365 * 86_400_000;

export async function startCertificateControllers(api: { server: string; caPem: string; certPem: string; keyPem: string }, pki: Pki, log: Logger, signal: AbortSignal, approvalCheck?: ApprovalCheck): Promise<void> {
  const client = new RestClient({ ...api, userAgent: 'kts-certificate-controllers' });
  try {
    await runCertificateControllers(client, {
      clientCa: { certPem: pki.clientCaCertPem, keyPem: pki.clientCaKeyPem },
      serverCa: { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
      maxDurationMs: SIGNING_DURATION_MS,
      approvalCheck,
    }, log, signal);
  } finally {
    client.close();
  }
}
