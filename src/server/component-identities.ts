// Each in-process component's own client certificate (signed by the client CA, kept in the tls
// directory and reused), so none talks to the API server as an administrator: the default RBAC
// policy binds every one of these users to a role with only what that component needs.
import type { CertKeyPair } from './pki.js';
import { ensureClientCert } from './pki.js';
import { IDENTITIES } from '../apiserver/authz/policy/identities.js';

export interface ComponentCerts {
  controllerManager: CertKeyPair;
  scheduler: CertKeyPair;
  localPathProvisioner: CertKeyPair;
  /** Only when this server runs kube-proxy (the in-process agent without --disable-kube-proxy). */
  kubeProxy?: CertKeyPair;
  dns: CertKeyPair;
  ingress: CertKeyPair;
  serviceLb: CertKeyPair;
  certificateController: CertKeyPair;
}

const FILES: Record<keyof ComponentCerts, string> = {
  controllerManager: 'client-controller',
  scheduler: 'client-scheduler',
  localPathProvisioner: 'client-local-path-provisioner',
  kubeProxy: 'client-kube-proxy',
  dns: 'client-kts-dns',
  ingress: 'client-kts-ingress',
  serviceLb: 'client-kts-service-lb',
  certificateController: 'client-kts-certificate-controller',
};

export async function ensureComponentCerts(tlsDir: string, clientCa: CertKeyPair, log: (m: string) => void, opts: { kubeProxy: boolean }): Promise<ComponentCerts> {
  const out = {} as Record<keyof ComponentCerts, CertKeyPair>;
  for (const key of Object.keys(FILES) as (keyof ComponentCerts)[]) {
    if (key === 'kubeProxy' && !opts.kubeProxy) continue;
    out[key] = await ensureClientCert(tlsDir, FILES[key], clientCa, { cn: IDENTITIES[key] }, log);
  }
  return out;
}
