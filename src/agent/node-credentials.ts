// A node's own credentials, kept as k3s keeps them under <data-dir>/agent: kubelet.kubeconfig
// pointing at client-kubelet.crt/.key (the node's client certificate, system:node:<name> in
// system:nodes) and server-ca.crt; serving-kubelet.crt/.key for the kubelet's HTTPS port. All
// 0600. They are obtained through CSRs (the first with the join token) and reused on restart
// while valid, so a restarted agent needs no token.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { parseKubeconfig, renderKubeconfigWithFiles } from '../client/kubeconfig.js';
import type { CertPair } from './cert-rotation.js';

export const KUBELET_CLIENT_USAGES = ['digital signature', 'key encipherment', 'client auth'];
export const KUBELET_SERVING_USAGES = ['digital signature', 'key encipherment', 'server auth'];

export interface NodeCredentials { server: string; caPem: string; certPem: string; keyPem: string }

export function credentialFiles(agentDir: string) {
  return {
    kubeconfig: join(agentDir, 'kubelet.kubeconfig'),
    cert: join(agentDir, 'client-kubelet.crt'),
    key: join(agentDir, 'client-kubelet.key'),
    ca: join(agentDir, 'server-ca.crt'),
    servingCert: join(agentDir, 'serving-kubelet.crt'),
    servingKey: join(agentDir, 'serving-kubelet.key'),
  };
}

/** Why a certificate/key pair cannot be used for node `nodeName`, or undefined when it can. */
export function unusable(pair: CertPair, nodeName: string, now = Date.now(), sans?: { dns: string[]; ips: string[] }): string | undefined {
  let x: X509Certificate;
  try {
    x = new X509Certificate(pair.certPem);
    if (!x.checkPrivateKey(createPrivateKey(pair.keyPem))) return 'the key does not belong to the certificate';
  } catch (e) {
    return `unreadable: ${(e as Error).message}`;
  }
  if (Date.parse(x.validTo) <= now) return `it expired on ${new Date(x.validTo).toISOString()}`;
  const lines = x.subject.split('\n');
  if (!lines.includes(`CN=system:node:${nodeName}`) || !lines.includes('O=system:nodes')) return `it is not for node ${nodeName} (${lines.join(', ')})`;
  if (sans) {
    const have = (x.subjectAltName ?? '').split(', ');
    const missing = [...sans.dns.map((d) => `DNS:${d}`), ...sans.ips.map((ip) => `IP Address:${ip}`)].filter((s) => !have.includes(s));
    if (missing.length) return `it lacks ${missing.join(', ')}`;
  }
  return undefined;
}

/** The stored client credentials, if present and usable for `nodeName` against `server`. */
export function loadNodeCredentials(agentDir: string, nodeName: string, server?: string): { creds?: NodeCredentials; why: string } {
  const f = credentialFiles(agentDir);
  let text: string;
  try {
    text = readFileSync(f.kubeconfig, 'utf8');
  } catch {
    return { why: `${f.kubeconfig} does not exist` };
  }
  try {
    const k = parseKubeconfig(text, (p) => readFileSync(p, 'utf8'));
    if (!k.caPem || !k.certPem || !k.keyPem) return { why: `${f.kubeconfig} lacks a CA, certificate or key` };
    if (server && k.server !== server) return { why: `${f.kubeconfig} is for ${k.server}, not ${server}` };
    const why = unusable({ certPem: k.certPem, keyPem: k.keyPem }, nodeName);
    if (why) return { why: `the stored client certificate cannot be used: ${why}` };
    return { creds: { server: k.server, caPem: k.caPem, certPem: k.certPem, keyPem: k.keyPem }, why: '' };
  } catch (e) {
    return { why: `cannot read ${f.kubeconfig}: ${(e as Error).message}` };
  }
}

export async function writeNodeCredentials(agentDir: string, c: NodeCredentials): Promise<void> {
  const f = credentialFiles(agentDir);
  mkdirSync(agentDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(f.ca, c.caPem, 0o600);
  // Key before certificate: a crash in between leaves a pair that fails the key check, not a wrong one.
  await writeFileAtomic(f.key, c.keyPem, 0o600);
  await writeFileAtomic(f.cert, c.certPem, 0o600);
  await writeFileAtomic(f.kubeconfig, renderKubeconfigWithFiles({ server: c.server, caFile: f.ca, certFile: f.cert, keyFile: f.key }), 0o600);
}

export function loadServingPair(agentDir: string, nodeName: string, sans: { dns: string[]; ips: string[] }): CertPair | undefined {
  const f = credentialFiles(agentDir);
  try {
    const pair = { certPem: readFileSync(f.servingCert, 'utf8'), keyPem: readFileSync(f.servingKey, 'utf8') };
    return unusable(pair, nodeName, Date.now(), sans) ? undefined : pair;
  } catch {
    return undefined;
  }
}

export async function writeServingPair(agentDir: string, pair: CertPair): Promise<void> {
  const f = credentialFiles(agentDir);
  mkdirSync(agentDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(f.servingKey, pair.keyPem, 0o600);
  await writeFileAtomic(f.servingCert, pair.certPem, 0o600);
}
