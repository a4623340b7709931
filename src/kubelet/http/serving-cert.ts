// A self-signed serving certificate for the kubelet's HTTPS endpoint, as the upstream kubelet makes
// when none is configured (CN <host>@<unix time>; SANs = the node's names and addresses). The API
// server does not verify it unless it is given a CA for kubelets.
import { selfSignedCert } from '../../util/self-signed-cert.js';

export function selfSignedServingCert(host: string, names: string[], days = 365): { certPem: string; keyPem: string } {
  return selfSignedCert({ commonName: `${host}@${Math.floor(Date.now() / 1000)}`, names: [host, ...names], days, ca: true });
}
