// The default certificate served when no Ingress TLS entry matches the SNI name (or there is none):
// self-signed, generated at startup and never written to disk, as ingress-nginx's "Kubernetes
// Ingress Controller Fake Certificate". Keys come from Node's crypto; forge only signs.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export const DEFAULT_CERT_CN = 'kts Ingress Controller Fake Certificate';

export function selfSignedDefaultCert(days = 365): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60_000);
  cert.validity.notAfter = new Date(now + days * 86_400_000);
  const subject = [{ name: 'commonName', value: DEFAULT_CERT_CN }, { name: 'organizationName', value: 'kts' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'ingress.local' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
}
