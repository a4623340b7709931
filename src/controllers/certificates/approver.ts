// Auto-approval of node certificates (upstream's csrapproving controller, plus kubelet serving):
// - nodeclient: a kubelet client CSR (kube-apiserver-client-kubelet) from a bootstrapper;
// - selfnodeclient: the same, from `system:node:<name>` renewing its own certificate;
// - kubeletserving (as k3s trusts its nodes): a kubelet-serving CSR from `system:node:<name>` for
//   itself whose DNS names are the node's name or host names and whose IPs are the node's addresses.
// Whether the requester may have each kind approved is a pluggable check (`ApprovalCheck`); the
// default stands in for RBAC's SubjectAccessReview on certificatesigningrequests/<kind> until
// authorization exists. Requests nothing recognises stay pending for a human.
import type { KObject } from '../../api/types.js';
import { clone } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { CsrParseError, parseCsrPem } from '../../api/csr.js';
import type { ParsedCsr } from '../../api/csr.js';
import { csrRequestPem } from '../../api/validation/certificates.js';
import { resourcePath } from '../../client/rest-client.js';
import type { RestClient } from '../../client/rest-client.js';
import { SIGNER_KUBELET_CLIENT, SIGNER_KUBELET_SERVING, kubeletClientProblem, kubeletServingProblem } from './signer-rules.js';
import { hasCondition, nowRfc3339 } from './signer.js';

export type ApprovalKind = 'nodeclient' | 'selfnodeclient' | 'kubeletserving';

export interface Requester { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> }

/** May `requester` have a CSR of this kind approved? (upstream: create on certificatesigningrequests/<kind>). */
export type ApprovalCheck = (requester: Requester, kind: ApprovalKind) => Promise<boolean>;

/** Without RBAC: bootstrappers may get node client certificates, nodes may renew and get serving ones; system:masters may do all. */
export const defaultApprovalCheck: ApprovalCheck = async (r, kind) => {
  if (r.groups.includes('system:masters')) return true;
  return kind === 'nodeclient' ? r.groups.includes('system:bootstrappers') : r.groups.includes('system:nodes');
};

const WAIT_FOR_NODE_MS = 15 * 60_000;

const MESSAGES: Record<ApprovalKind, string> = {
  selfnodeclient: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
  nodeclient: 'Auto approving kubelet client certificate after SubjectAccessReview.',
  kubeletserving: 'Auto approving kubelet serving certificate after SubjectAccessReview.',
};

interface CsrSpec { signerName?: string; usages?: string[]; username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }
interface NodeAddress { type?: string; address?: string }

/** The node's names and addresses a serving certificate may carry; undefined when the Node does not exist (yet). */
export type NodeNames = (name: string) => Promise<{ dns: string[]; ips: string[] } | undefined>;

/** The kinds `csr` is, in the order upstream tries them; `wait` when it depends on a Node not registered yet. */
export async function recognize(spec: CsrSpec, parsed: ParsedCsr, nodeNames: NodeNames): Promise<ApprovalKind[] | 'wait'> {
  const usages = spec.usages ?? [];
  if (spec.signerName === SIGNER_KUBELET_CLIENT && !kubeletClientProblem(parsed, usages)) {
    return spec.username === parsed.commonName ? ['selfnodeclient', 'nodeclient'] : ['nodeclient'];
  }
  if (spec.signerName === SIGNER_KUBELET_SERVING && !kubeletServingProblem(parsed, usages) && spec.username === parsed.commonName) {
    const node = await nodeNames(parsed.commonName.slice('system:node:'.length));
    if (!node) return 'wait';
    const ok = parsed.dnsNames.every((d) => node.dns.includes(d.toLowerCase())) && parsed.ipAddresses.every((ip) => node.ips.includes(ip));
    return ok ? ['kubeletserving'] : [];
  }
  return [];
}

/** Names and addresses of a Node object, as a serving certificate may use them. */
export function nodeNamesOf(node: KObject): { dns: string[]; ips: string[] } {
  const addrs = ((node.status as { addresses?: NodeAddress[] } | undefined)?.addresses ?? []);
  const dns = [node.metadata.name!, ...addrs.filter((a) => ['Hostname', 'InternalDNS', 'ExternalDNS'].includes(a.type ?? '')).map((a) => a.address ?? '')];
  const ips = addrs.filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address ?? '');
  return { dns: dns.map((d) => d.toLowerCase()), ips };
}

/** Reconciles one CSR: approves it when recognised and permitted. Returns a retry delay when it must wait. */
export async function approveOne(client: RestClient, csr: KObject | undefined, check: ApprovalCheck, nodeNames: NodeNames): Promise<number | undefined> {
  if (!csr) return undefined;
  if ((csr.status as { certificate?: string } | undefined)?.certificate || hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied')) return undefined;
  const spec = (csr.spec ?? {}) as CsrSpec;
  let parsed: ParsedCsr;
  try {
    parsed = parseCsrPem(csrRequestPem(csr));
  } catch (e) {
    if (e instanceof CsrParseError) return undefined;
    throw e;
  }
  const kinds = await recognize(spec, parsed, nodeNames);
  // A serving CSR waits for its Node, but not forever: after 15 minutes it is left for a human.
  if (kinds === 'wait') return Date.now() - Date.parse(csr.metadata.creationTimestamp ?? '') < WAIT_FOR_NODE_MS ? 2000 : undefined;
  const requester: Requester = { username: spec.username ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
  for (const kind of kinds) {
    if (!(await check(requester, kind))) continue;
    const next = clone(csr);
    const status = (next.status ?? {}) as { conditions?: unknown[] };
    status.conditions = [...(status.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message: MESSAGES[kind], lastUpdateTime: nowRfc3339() }];
    next.status = status;
    await client.update(resourcePath('certificates.k8s.io', 'v1', 'certificatesigningrequests', undefined, csr.metadata.name, 'approval'), next);
    return undefined;
  }
  return undefined;
}

/** NodeNames over the API (a GET per waiting serving CSR: rare, at join and renewal). */
export function nodeNamesFromApi(client: RestClient): NodeNames {
  return async (name) => {
    try {
      return nodeNamesOf(await client.get(resourcePath('', 'v1', 'nodes', undefined, name)));
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    }
  };
}
