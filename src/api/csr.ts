// Reading PKCS#10 certificate signing requests (the `spec.request` of a CertificateSigningRequest):
// the subject, the requested subject alternative names and the public key (RSA, ECDSA or
// Ed25519), with the request's self-signature checked by Node's crypto (as upstream's ParseCSR
// does). The DER is walked directly (api/der.ts): node-forge parses only RSA requests.
import { createPublicKey, verify } from 'node:crypto';
import forge from 'node-forge';
import { bytesOf, children, contentOf, DerError, oidOf, readTlv } from './der.js';

export interface ParsedCsr {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** The requested public key: DER SubjectPublicKeyInfo, as the certificate will carry it. */
  publicKeyDer: Buffer;
}

export class CsrParseError extends Error {}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const SUBJECT_ALT_NAME = '2.5.29.17';
/** Signature algorithm → hash (null: the key type implies it, Ed25519). */
const SIGNATURE_HASH: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1', '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384', '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};

/** Parses the first PEM block of `pem`; throws CsrParseError with upstream-like messages. */
export function parseCsrPem(pem: string): ParsedCsr {
  const m = PEM_RE.exec(pem);
  if (!m || m[1] !== 'CERTIFICATE REQUEST') throw new CsrParseError('PEM block type must be CERTIFICATE REQUEST');
  try {
    return parseCsrDer(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'));
  } catch (e) {
    if (e instanceof CsrParseError) throw e;
    throw new CsrParseError(`x509: malformed certificate request: ${(e as Error).message}`);
  }
}

function parseCsrDer(der: Buffer): ParsedCsr {
  const top = readTlv(der, 0);
  if (top.tag !== 0x30 || top.end !== der.length) throw new DerError('not a single SEQUENCE');
  const [info, alg, sig] = children(der, top);
  if (!info || !alg || !sig || info.tag !== 0x30 || alg.tag !== 0x30 || sig.tag !== 0x03) throw new DerError('expected info, algorithm and signature');
  const [version, subject, spki, attrs] = children(der, info);
  if (!version || !subject || !spki || subject.tag !== 0x30 || spki.tag !== 0x30) throw new DerError('expected version, subject and public key');
  const publicKeyDer = bytesOf(der, spki);
  let key;
  try {
    key = createPublicKey({ key: publicKeyDer, format: 'der', type: 'spki' });
  } catch {
    throw new CsrParseError('x509: unsupported public key algorithm');
  }
  const algOid = oidOf(der, children(der, alg)[0]!);
  const hash = SIGNATURE_HASH[algOid];
  if (hash === undefined) throw new CsrParseError(`x509: cannot verify signature: algorithm unimplemented (${algOid})`);
  const bits = contentOf(der, sig);
  if (bits[0] !== 0) throw new DerError('signature BIT STRING with unused bits');
  if (!verify(hash, bytesOf(der, info), key, bits.subarray(1))) {
    throw new CsrParseError(key.asymmetricKeyType === 'rsa' ? 'crypto/rsa: verification error' : key.asymmetricKeyType === 'ec' ? 'x509: ECDSA verification failure' : 'x509: signature verification failure');
  }
  const out: ParsedCsr = { commonName: '', organizations: [], dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], publicKeyDer };
  for (const rdn of children(der, subject)) {
    for (const atv of children(der, rdn)) {
      const [oid, value] = children(der, atv);
      if (!oid || !value) continue;
      const type = oidOf(der, oid);
      const text = contentOf(der, value).toString(value.tag === 0x1e ? 'utf16le' : 'utf8');
      if (type === '2.5.4.3') out.commonName = text;
      else if (type === '2.5.4.10') out.organizations.push(text);
    }
  }
  if (attrs && attrs.tag === 0xa0) for (const attr of children(der, attrs)) readExtensionRequest(der, attr, out);
  return out;
}

function readExtensionRequest(der: Buffer, attr: ReturnType<typeof readTlv>, out: ParsedCsr): void {
  const [oid, set] = children(der, attr);
  if (!oid || !set || oidOf(der, oid) !== EXTENSION_REQUEST) return;
  for (const exts of children(der, set)) {
    for (const ext of children(der, exts)) {
      const parts = children(der, ext);
      if (oidOf(der, parts[0]!) !== SUBJECT_ALT_NAME) continue;
      const value = parts[parts.length - 1]!;
      const names = contentOf(der, value);
      const seq = readTlv(names, 0);
      for (const n of children(names, seq)) {
        const c = contentOf(names, n);
        if (n.tag === 0x82) out.dnsNames.push(c.toString('latin1'));
        else if (n.tag === 0x81) out.emailAddresses.push(c.toString('latin1'));
        else if (n.tag === 0x86) out.uris.push(c.toString('latin1'));
        else if (n.tag === 0x87) out.ipAddresses.push(ipText(c));
      }
    }
  }
}

function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) throw new DerError('IP address SAN of a bad length');
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // The URL parser gives the canonical (compressed) spelling.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
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
