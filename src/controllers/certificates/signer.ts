// The CSR signing controller (upstream kube-controller-manager's csrsigning): approved, not failed,
// not yet issued requests for a built-in signer are checked against the signer's rules and issued
// by its CA (client-ca or server-ca), honouring spec.expirationSeconds up to the signer's maximum.
// A request the signer cannot accept gets the Failed condition (SignerValidationFailure); requests
// for other signers are left for whoever implements them.
import type { KObject } from '../../api/types.js';
import { clone } from '../../api/types.js';
import { CsrParseError, parseCsrPem } from '../../api/csr.js';
import { csrRequestPem } from '../../api/validation/certificates.js';
import { resourcePath } from '../../client/rest-client.js';
import type { RestClient } from '../../client/rest-client.js';
import { SIGNERS } from './signer-rules.js';
import { grantedDurationMs, issueCertificate, type CaPair } from './issue.js';

export interface SignerConfig {
  clientCa: CaPair;
  serverCa: CaPair;
  /** The longest validity issued (upstream --cluster-signing-duration, default one year). */
  maxDurationMs: number;
}

interface CsrView { spec?: { signerName?: string; usages?: string[]; expirationSeconds?: number }; status?: { conditions?: { type?: string; status?: string }[]; certificate?: string } }

export const hasCondition = (csr: KObject, type: string): boolean => ((csr as CsrView).status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What the signer would do with `csr`: nothing, issue this PEM, or fail with this message. */
export function signDecision(csr: KObject, cfg: SignerConfig, now = Date.now()): { certificate: string } | { failed: string } | undefined {
  const view = csr as CsrView;
  if (!hasCondition(csr, 'Approved') || hasCondition(csr, 'Failed') || view.status?.certificate) return undefined;
  const rule = SIGNERS.get(view.spec?.signerName ?? '');
  if (!rule) return undefined;
  let parsed;
  try {
    parsed = parseCsrPem(csrRequestPem(csr));
  } catch (e) {
    if (e instanceof CsrParseError) return { failed: `unable to parse csr "${csr.metadata.name}": ${e.message}` };
    throw e;
  }
  const usages = view.spec?.usages ?? [];
  const problem = rule.check(parsed, usages);
  if (problem) return { failed: problem };
  const ca = rule.ca === 'client' ? cfg.clientCa : cfg.serverCa;
  return { certificate: issueCertificate(ca, parsed, usages, grantedDurationMs(view.spec?.expirationSeconds, cfg.maxDurationMs), now) };
}

/** Reconciles one CSR (by name) from the informer's cache. */
export async function signOne(client: RestClient, csr: KObject | undefined, cfg: SignerConfig): Promise<void> {
  if (!csr) return;
  const decision = signDecision(csr, cfg);
  if (!decision) return;
  const next = clone(csr) as KObject & CsrView;
  next.status ??= {};
  if ('certificate' in decision) next.status.certificate = Buffer.from(decision.certificate).toString('base64');
  else next.status.conditions = [...(next.status.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: decision.failed, lastUpdateTime: nowRfc3339() } as { type: string; status: string }];
  await client.update(resourcePath('certificates.k8s.io', 'v1', 'certificatesigningrequests', undefined, csr.metadata.name, 'status'), next);
}
