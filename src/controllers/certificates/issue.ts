// Issues an X.509 certificate for an approved CSR: the request's subject, SANs and public key,
// key usages from spec.usages, valid from five minutes ago (clock skew) for the granted duration,
// never past the CA's own expiry. node-forge builds and signs the structure.
import { randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { ParsedCsr } from '../../api/csr.js';

export interface CaPair { certPem: string; keyPem: string }

const BACKDATE_MS = 5 * 60_000;
const EXT_USAGES: Record<string, string> = {
  'server auth': 'serverAuth', 'client auth': 'clientAuth', 'code signing': 'codeSigning', 'email protection': 'emailProtection', timestamping: 'timeStamping',
};
const KEY_USAGES: Record<string, string> = {
  'digital signature': 'digitalSignature', 'content commitment': 'nonRepudiation', 'key encipherment': 'keyEncipherment',
  'key agreement': 'keyAgreement', 'data encipherment': 'dataEncipherment', 'cert sign': 'keyCertSign', 'crl sign': 'cRLSign',
  'encipher only': 'encipherOnly', 'decipher only': 'decipherOnly',
};

/** The validity granted: the requested seconds (if any) capped by the signer's maximum; at least 10 minutes. */
export function grantedDurationMs(expirationSeconds: number | undefined, maxMs: number): number {
  const asked = expirationSeconds === undefined ? maxMs : expirationSeconds * 1000;
  return Math.max(Math.min(asked, maxMs), 600_000);
}

export function issueCertificate(ca: CaPair, csr: ParsedCsr, usages: string[], durationMs: number, now = Date.now()): string {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(csr.publicKeyPem);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  cert.serialNumber = serial.toString('hex');
  const caNotAfter = new Date(new X509Certificate(ca.certPem).validTo).getTime();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(Math.min(now + durationMs, caNotAfter));
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  cert.setSubject([...csr.organizations.map((o) => ({ name: 'organizationName', value: o, valueTagClass: utf8 })), ...(csr.commonName ? [{ name: 'commonName', value: csr.commonName, valueTagClass: utf8 }] : [])]);
  cert.setIssuer(caCert.subject.attributes);
  const keyUsage: Record<string, unknown> = { name: 'keyUsage', critical: true };
  const extKeyUsage: Record<string, unknown> = { name: 'extKeyUsage' };
  for (const u of usages) {
    if (KEY_USAGES[u]) keyUsage[KEY_USAGES[u]] = true;
    if (EXT_USAGES[u]) extKeyUsage[EXT_USAGES[u]] = true;
  }
  const altNames = [...csr.dnsNames.map((value) => ({ type: 2, value })), ...csr.ipAddresses.map((ip) => ({ type: 7, ip })), ...csr.emailAddresses.map((value) => ({ type: 1, value })), ...csr.uris.map((value) => ({ type: 6, value }))];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    // Absent rather than empty when no key usage was asked for (as Go's x509 writes it); an empty
    // critical keyUsage makes TLS stacks reject the certificate.
    ...(Object.keys(keyUsage).length > 2 ? [keyUsage] : []),
    ...(Object.keys(extKeyUsage).length > 1 ? [extKeyUsage] : []),
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
