// A self-signed certificate for a TLS server (the kubelet's endpoint, the ingress controller's
// default certificate): keys from Node's crypto, signed with forge. SANs are DNS names or IPs.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface SelfSignedOptions {
  commonName: string;
  organization?: string;
  /** DNS names and IP addresses for subjectAltName. */
  names: string[];
  days?: number;
  /** Mark it a CA (as the upstream kubelet's self-signed serving certificate is). */
  ca?: boolean;
}

export function selfSignedCert(o: SelfSignedOptions): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60_000);
  cert.validity.notAfter = new Date(now + (o.days ?? 365) * 86_400_000);
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  const subject = [{ name: 'commonName', value: o.commonName, valueTagClass: utf8 }, ...(o.organization ? [{ name: 'organizationName', value: o.organization }] : [])];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    o.ca ? { name: 'basicConstraints', cA: true, critical: true } : { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: !!o.ca, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [...new Set(o.names)].map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
}
