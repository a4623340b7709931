// What each built-in signer accepts (upstream pkg/apis/certificates/v1 helpers and the
// kube-controller-manager signer's isRequestForSigner): the CA it signs with, and a check that
// returns the reason a request is not acceptable. Messages are upstream's.
import type { ParsedCsr } from '../../api/csr.js';

export const SIGNER_API_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const SIGNER_KUBELET_CLIENT = 'kubernetes.io/kube-apiserver-client-kubelet';
export const SIGNER_KUBELET_SERVING = 'kubernetes.io/kubelet-serving';

export interface SignerRule {
  /** Which of the cluster's CAs signs: client-ca (client certificates) or server-ca (serving). */
  ca: 'client' | 'server';
  /** Why the request does not fit this signer, or undefined when it does. */
  check(csr: ParsedCsr, usages: string[]): string | undefined;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Upstream's ValidateKubeletClientCSR. */
export function kubeletClientProblem(csr: ParsedCsr, usages: string[]): string | undefined {
  if (csr.organizations.length !== 1 || csr.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (csr.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (csr.emailAddresses.length) return 'Email subjectAltNames are not allowed';
  if (csr.ipAddresses.length) return 'IP subjectAltNames are not allowed';
  if (csr.uris.length) return 'URI subjectAltNames are not allowed';
  if (!csr.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  if (!sameSet(usages, ['digital signature', 'key encipherment', 'client auth']) && !sameSet(usages, ['digital signature', 'client auth'])) return 'usages did not match [client auth digital signature key encipherment]';
  return undefined;
}

/** Upstream's ValidateKubeletServingCSR. */
export function kubeletServingProblem(csr: ParsedCsr, usages: string[]): string | undefined {
  if (csr.organizations.length !== 1 || csr.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (!csr.dnsNames.length && !csr.ipAddresses.length) return 'DNS or IP subjectAltName is required';
  if (csr.emailAddresses.length) return 'Email subjectAltNames are not allowed';
  if (csr.uris.length) return 'URI subjectAltNames are not allowed';
  if (!sameSet(usages, ['digital signature', 'key encipherment', 'server auth']) && !sameSet(usages, ['digital signature', 'server auth'])) return 'usages did not match [digital signature key encipherment server auth]';
  if (!csr.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  return undefined;
}

/** Upstream's validAPIServerClientUsages: client auth required, digital signature and key encipherment optional. */
export function apiServerClientProblem(_csr: ParsedCsr, usages: string[]): string | undefined {
  for (const u of usages) if (!['digital signature', 'key encipherment', 'client auth'].includes(u)) return `invalid usage for client certificate: ${u}`;
  if (!usages.includes('client auth')) return 'missing required usage for client certificate: client auth';
  return undefined;
}

export const SIGNERS: ReadonlyMap<string, SignerRule> = new Map<string, SignerRule>([
  [SIGNER_API_CLIENT, { ca: 'client', check: apiServerClientProblem }],
  [SIGNER_KUBELET_CLIENT, { ca: 'client', check: kubeletClientProblem }],
  [SIGNER_KUBELET_SERVING, { ca: 'server', check: kubeletServingProblem }],
]);
