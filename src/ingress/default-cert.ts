// The default certificate served when no Ingress TLS entry matches the SNI name (or there is none):
// self-signed, generated at startup and never written to disk, as ingress-nginx's "Kubernetes
// Ingress Controller Fake Certificate".
import { selfSignedCert } from '../util/self-signed-cert.js';

export const DEFAULT_CERT_CN = 'kts Ingress Controller Fake Certificate';

export function selfSignedDefaultCert(days = 365): { certPem: string; keyPem: string } {
  return selfSignedCert({ commonName: DEFAULT_CERT_CN, organization: 'kts', names: ['ingress.local'], days });
}
