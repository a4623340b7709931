// Reading PKCS#10 certificate signing requests (the `spec.request` of a CertificateSigningRequest):
// the subject, the requested subject alternative names and the public key, with the request's
// self-signature checked. node-forge parses them (Node's crypto cannot); forge reads RSA keys
// only, so requests for other key types are refused with a message that says so.
import forge from 'node-forge';

export interface ParsedCsr {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** The requested public key, PEM (SubjectPublicKeyInfo). */
  publicKeyPem: string;
}

export class CsrParseError extends Error {}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/;

/** Parses the first PEM block of `pem`; throws CsrParseError with upstream-like messages. */
export function parseCsrPem(pem: string): ParsedCsr {
  const m = PEM_RE.exec(pem);
  if (!m || m[1] !== 'CERTIFICATE REQUEST') throw new CsrParseError('PEM block type must be CERTIFICATE REQUEST');
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(m[0]);
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    if (/OID is not RSA/i.test(msg)) throw new CsrParseError('x509: only RSA keys are supported by this kts version');
    throw new CsrParseError(`x509: malformed certificate request: ${msg}`);
  }
  let ok: boolean;
  try {
    ok = csr.verify();
  } catch {
    ok = false;
  }
  if (!ok) throw new CsrParseError('x509: certificate request signature is invalid');
  const attrs = csr.subject.attributes;
  const out: ParsedCsr = {
    commonName: String(attrs.find((a) => a.shortName === 'CN' || a.name === 'commonName')?.value ?? ''),
    organizations: attrs.filter((a) => a.shortName === 'O' || a.name === 'organizationName').map((a) => String(a.value)),
    dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [],
    publicKeyPem: forge.pki.publicKeyToPem(csr.publicKey!),
  };
  const ext = csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: { name: string; altNames?: { type: number; value?: string; ip?: string }[] }[] } | null;
  for (const e of ext?.extensions ?? []) {
    if (e.name !== 'subjectAltName') continue;
    for (const n of e.altNames ?? []) {
      if (n.type === 2) out.dnsNames.push(n.value ?? '');
      else if (n.type === 7) out.ipAddresses.push(n.ip ?? '');
      else if (n.type === 1) out.emailAddresses.push(n.value ?? '');
      else if (n.type === 6) out.uris.push(n.value ?? '');
    }
  }
  return out;
}

/** Builds a PEM CSR for `subject` and SANs signed with `keyPem` (an RSA private key, PKCS#1 or #8). */
export function createCsrPem(keyPem: string, subject: { cn: string; o?: string[] }, sans: { dns?: string[]; ips?: string[] } = {}): string {
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  // UTF8String, so ':' in system:node:<name> survives Go's parser (PrintableString cannot hold it).
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  csr.setSubject([...(subject.o ?? []).map((o) => ({ name: 'organizationName', value: o, valueTagClass: utf8 })), { name: 'commonName', value: subject.cn, valueTagClass: utf8 }]);
  const altNames = [...(sans.dns ?? []).map((value) => ({ type: 2, value })), ...(sans.ips ?? []).map((ip) => ({ type: 7, ip }))];
  if (altNames.length) csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames }] }]);
  csr.sign(key, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}
