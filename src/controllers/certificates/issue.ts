// Issues an X.509 certificate for an approved CSR: the request's subject, SANs and public key,
// key usages from spec.usages, valid from five minutes ago (clock skew) for the granted duration,
// never past the CA's own expiry. node-forge lays out the TBSCertificate (with a stand-in RSA key,
// replaced by the request's own SubjectPublicKeyInfo, which may be ECDSA or Ed25519); Node's crypto
// signs it with the CA's key.
import { randomBytes, sign, X509Certificate } from 'node:crypto';
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
  const caKey = ca.keyPem;
  const cert = forge.pki.createCertificate();
  cert.publicKey = caCert.publicKey;
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
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  // getTBSCertificate exists in node-forge but is missing from @types/node-forge.
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  // TBSCertificate: version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, extensions.
  (tbs.value as forge.asn1.Asn1[])[6] = forge.asn1.fromDer(forge.util.createBuffer(csr.publicKeyDer.toString('binary')));
  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, caKey);
  const { asn1 } = forge;
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(forge.pki.oids.sha256WithRSAEncryption!).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(0) + signature.toString('binary')),
  ]);
  const der = Buffer.from(asn1.toDer(certificate).getBytes(), 'binary').toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${der.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}
