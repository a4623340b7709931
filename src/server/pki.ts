// The cluster's certificates, kept under the server's tls directory as k3s keeps server/tls:
// two CAs (one signs serving certificates, one signs client certificates, so a client cert can
// never pass as a server and vice versa), the API server's serving certificate and the admin's
// client certificate. Created on first start, reused after; the serving certificate is reissued
// (by the same CA) when a requested SAN is missing or it nears expiry, so clients keep trusting it.
//
// Keys are RSA-2048 from Node's crypto (fast, native); node-forge only builds and signs the
// X.509 structures, which Node cannot do. Certificates are read back with crypto.X509Certificate.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { issueCertificate } from '../controllers/certificates/issue.js';
import { writeFileAtomic } from '../util/fs.js';

export interface Pki {
  /** The CA that signs serving certificates (server-ca): what clients trust. */
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** The CA that signs client certificates (client-ca): what the API server trusts. */
  clientCaCertPem: string;
  clientCaKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  /** The API server's identity towards kubelets (logs, exec, port-forward), as upstream's apiserver-kubelet-client. */
  kubeletClientCertPem: string;
  kubeletClientKeyPem: string;
}

export interface CertKeyPair { certPem: string; keyPem: string }
export interface Sans { dns: string[]; ips: string[] }
export interface CertInfo {
  subject: { cn: string; o: string[] };
  issuer: { cn: string; o: string[] };
  notBefore: Date;
  notAfter: Date;
  sans: Sans;
  isCa: boolean;
}

const DAY_MS = 86_400_000;
const CA_DAYS = 3650;
const LEAF_DAYS = 365;
/** A leaf certificate this close to expiry is reissued at start (as k3s does). */
const RENEW_BEFORE_DAYS = 90;
/** Backdating covers clock skew between the server and agents on other hosts. */
const BACKDATE_MS = 5 * 60_000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** The names every API server certificate carries: the in-cluster service names and loopback. */
export function defaultServingSans(extra: Sans = { dns: [], ips: [] }): Sans {
  const dns = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost', hostname().toLowerCase(), ...extra.dns];
  const ips = ['127.0.0.1', '::1', ...extra.ips];
  for (const ip of ips) if (!isIP(ip)) throw new Error(`pki: invalid IP address for a SAN: "${ip}"`);
  return { dns: [...new Set(dns.map((d) => d.toLowerCase()))], ips: [...new Set(ips.map(canonicalIp))] };
}

/** Creates or reuses the certificates under `tlsDir`; see the file header. */
export async function ensurePki(tlsDir: string, opts: { sans: Sans; log?: (msg: string) => void }): Promise<Pki> {
  const log = opts.log ?? (() => {});
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  const now = Date.now();
  const ca = await ensureCa(tlsDir, 'server-ca', 'kts-server-ca', log);
  const clientCa = await ensureCa(tlsDir, 'client-ca', 'kts-client-ca', log);

  const sans = defaultServingSans(opts.sans);
  const serving = await ensureLeaf(tlsDir, 'serving-kube-apiserver', ca, log, (info, x509) => {
    if (!x509.keyUsage?.includes(SERVER_AUTH)) return 'it lacks the serverAuth usage';
    const missing = [...sans.dns.filter((d) => !info.sans.dns.includes(d)), ...sans.ips.filter((ip) => !info.sans.ips.includes(ip))];
    return missing.length ? `SANs ${missing.join(', ')} are missing` : undefined;
  }, () => signLeaf(ca, { cn: 'kube-apiserver' }, 'server', sans, LEAF_DAYS), now);
  const admin = await ensureLeaf(tlsDir, 'client-admin', clientCa, log, (info, x509) => {
    if (!x509.keyUsage?.includes(CLIENT_AUTH)) return 'it lacks the clientAuth usage';
    return info.subject.cn === 'system:admin' && info.subject.o.includes('system:masters') ? undefined : 'its subject is not system:admin';
  }, () => signClientCert(clientCa, { cn: 'system:admin', o: ['system:masters'] }, LEAF_DAYS), now);
  const kubeletClient = await ensureLeaf(tlsDir, 'client-kube-apiserver-kubelet-client', clientCa, log, (info, x509) => {
    if (!x509.keyUsage?.includes(CLIENT_AUTH)) return 'it lacks the clientAuth usage';
    // Not in system:masters: RBAC binds it to system:kubelet-api-admin, as upstream.
    return info.subject.cn === 'kube-apiserver-kubelet-client' && info.subject.o.length === 0 ? undefined : 'its subject is not kube-apiserver-kubelet-client (without groups)';
  }, () => signClientCert(clientCa, { cn: 'kube-apiserver-kubelet-client' }, LEAF_DAYS), now);

  return {
    caCertPem: ca.certPem, caKeyPem: ca.keyPem,
    serverCertPem: serving.certPem, serverKeyPem: serving.keyPem,
    clientCaCertPem: clientCa.certPem, clientCaKeyPem: clientCa.keyPem,
    adminCertPem: admin.certPem, adminKeyPem: admin.keyPem,
    kubeletClientCertPem: kubeletClient.certPem, kubeletClientKeyPem: kubeletClient.keyPem,
  };
}

/**
 * A component's client certificate kept as `<base>.crt/.key` under `tlsDir` (k3s keeps
 * client-controller.crt, client-scheduler.crt, … the same way): reused while it was issued by the
 * client CA for this subject and is not near expiry, else issued anew.
 */
export async function ensureClientCert(tlsDir: string, base: string, clientCa: CertKeyPair, subject: { cn: string; o?: string[] }, log: (m: string) => void = () => {}): Promise<CertKeyPair> {
  const o = [...(subject.o ?? [])].sort();
  return ensureLeaf(tlsDir, base, clientCa, log, (info, x509) => {
    if (!x509.keyUsage?.includes(CLIENT_AUTH)) return 'it lacks the clientAuth usage';
    return info.subject.cn === subject.cn && JSON.stringify([...info.subject.o].sort()) === JSON.stringify(o) ? undefined : `its subject is not ${subject.cn}`;
  }, () => signClientCert(clientCa, subject, LEAF_DAYS), Date.now());
}

/** Issues a client certificate (clientAuth) for `subject`, signed by `ca`, with a new key. */
export function signClientCert(ca: CertKeyPair, subject: { cn: string; o?: string[] }, days: number): CertKeyPair {
  return signLeaf(ca, subject, 'client', { dns: [], ips: [] }, days);
}

/** Issues a serving certificate (serverAuth) for the given names, signed by `ca`, with a new key. */
export function signServingCert(ca: CertKeyPair, cn: string, sans: Sans, days: number): CertKeyPair {
  return signLeaf(ca, { cn }, 'server', sans, days);
}

/**
 * A certificate for both ends of a TLS connection (serverAuth and clientAuth), as etcd members
 * need: a peer dials and accepts peers with the same certificate.
 */
export function signServerClientCert(ca: CertKeyPair, cn: string, sans: Sans, days: number): CertKeyPair {
  return signLeaf(ca, { cn }, 'both', sans, days);
}

/** The fields of a PEM certificate that kts looks at. */
export function certInfo(pem: string): CertInfo {
  const x = new X509Certificate(pem);
  return {
    subject: parseName(x.subject),
    issuer: parseName(x.issuer),
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    sans: parseSans(x.subjectAltName),
    isCa: x.ca,
  };
}

/** kubeadm's --discovery-token-ca-cert-hash: SHA-256 over the CA's DER SubjectPublicKeyInfo. */
export function caCertHash(caCertPem: string): string {
  const spki = new X509Certificate(caCertPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

// --- on disk -----------------------------------------------------------------------------------

async function readPair(dir: string, base: string): Promise<CertKeyPair | undefined> {
  try {
    const [certPem, keyPem] = await Promise.all([readFile(join(dir, `${base}.crt`), 'utf8'), readFile(join(dir, `${base}.key`), 'utf8')]);
    // A certificate whose key was lost (or replaced) cannot be used; treat it as absent.
    if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) return undefined;
    return { certPem, keyPem };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`pki: cannot read ${join(dir, base)}.crt/.key: ${(err as Error).message}`, { cause: err });
  }
}

async function writePair(dir: string, base: string, pair: CertKeyPair): Promise<void> {
  // Key first: a crash between the two writes leaves a new key with the old certificate,
  // which readPair rejects, so the pair is simply issued again.
  await writeFileAtomic(join(dir, `${base}.key`), pair.keyPem, 0o600);
  await writeFileAtomic(join(dir, `${base}.crt`), pair.certPem, 0o644);
}

export async function ensureCa(dir: string, base: string, cnPrefix: string, log: (m: string) => void): Promise<CertKeyPair> {
  const existing = await readPair(dir, base);
  if (existing) {
    const left = (certInfo(existing.certPem).notAfter.getTime() - Date.now()) / DAY_MS;
    if (left < RENEW_BEFORE_DAYS) log(`pki: ${base}.crt expires in ${Math.floor(left)} days; CAs are not rotated automatically`);
    return existing;
  }
  log(`pki: generating ${base}`);
  const pair = selfSignedCa(`${cnPrefix}@${Math.floor(Date.now() / 1000)}`, CA_DAYS);
  await writePair(dir, base, pair);
  return pair;
}

/** Reuses `base` if it was issued by `ca`, is not near expiry and passes `unfit`; else reissues it. */
export async function ensureLeaf(
  dir: string, base: string, ca: CertKeyPair, log: (m: string) => void,
  unfit: (info: CertInfo, x509: X509Certificate) => string | undefined, issue: () => CertKeyPair, now: number,
): Promise<CertKeyPair> {
  const existing = await readPair(dir, base);
  let reason = 'it does not exist';
  if (existing) {
    const x509 = new X509Certificate(existing.certPem);
    const info = certInfo(existing.certPem);
    if (!x509.verify(new X509Certificate(ca.certPem).publicKey)) reason = 'it was not issued by the current CA';
    else if (info.notAfter.getTime() - now < RENEW_BEFORE_DAYS * DAY_MS) reason = `it expires on ${info.notAfter.toISOString()}`;
    else {
      const why = unfit(info, x509);
      if (!why) return existing;
      reason = why;
    }
  }
  log(`pki: issuing ${base}.crt because ${reason}`);
  const pair = issue();
  await writePair(dir, base, pair);
  return pair;
}

// --- issuing -----------------------------------------------------------------------------------

function newKey(): { keyPem: string; publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { keyPem: privateKey, publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey) };
}

function baseCert(publicKey: forge.pki.PublicKey, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // 128 random bits, high bit cleared so the DER integer is positive (RFC 5280 4.1.2.2).
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(now + days * DAY_MS);
  return cert;
}

/**
 * Name attributes as UTF8String: forge defaults to PrintableString, which cannot hold ':' or '@'
 * ("system:admin", "kts-server-ca@1700000000") and which Go's x509 parser then rejects.
 */
function subjectAttrs(s: { cn: string; o?: string[] }): forge.pki.CertificateField[] {
  // forge reads valueTagClass as the universal type tag; @types/node-forge mistypes it as Class.
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  return [...(s.o ?? []).map((o) => ({ name: 'organizationName', value: o, valueTagClass: utf8 })), { name: 'commonName', value: s.cn, valueTagClass: utf8 }];
}

function selfSignedCa(cn: string, days: number): CertKeyPair {
  const key = newKey();
  const cert = baseCert(key.publicKey, days);
  cert.setSubject(subjectAttrs({ cn }));
  cert.setIssuer(subjectAttrs({ cn }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.keyPem };
}

/**
 * A leaf certificate with a new ECDSA P-256 key (as k3s issues its leaves): making one takes about
 * a millisecond where an RSA-2048 key takes 100–300 ms, and a first start issues a dozen of them.
 * The CAs stay RSA. Laid out by the CSR signer's DER path, which carries any public key.
 */
function signLeaf(ca: CertKeyPair, subject: { cn: string; o?: string[] }, usage: 'server' | 'client' | 'both', sans: Sans, days: number): CertKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const certPem = issueCertificate(
    ca,
    { commonName: subject.cn, organizations: subject.o ?? [], dnsNames: sans.dns, ipAddresses: sans.ips, emailAddresses: [], uris: [], publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }) },
    ['digital signature', ...(usage === 'client' ? [] : ['server auth']), ...(usage === 'server' ? [] : ['client auth'])],
    days * DAY_MS,
  );
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

// --- reading -----------------------------------------------------------------------------------

/** Node prints names one attribute per line: "O=system:masters\nCN=system:admin". */
function parseName(s: string): { cn: string; o: string[] } {
  const out = { cn: '', o: [] as string[] };
  for (const line of s.split('\n')) {
    const eq = line.indexOf('=');
    const [k, v] = [line.slice(0, eq), line.slice(eq + 1)];
    if (k === 'CN') out.cn = v;
    else if (k === 'O') out.o.push(v);
  }
  return out;
}

/** Node prints SANs as "DNS:a, DNS:b, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1". */
function parseSans(s: string | undefined): Sans {
  const sans: Sans = { dns: [], ips: [] };
  for (const part of (s ?? '').split(', ')) {
    if (part.startsWith('DNS:')) sans.dns.push(part.slice(4).toLowerCase());
    else if (part.startsWith('IP Address:')) sans.ips.push(canonicalIp(part.slice(11)));
  }
  return sans;
}

/** One spelling per address (`0:0:0:0:0:0:0:1` and `::1` compare equal); WHATWG URL normalises. */
function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}
