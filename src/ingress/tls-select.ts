// SNI: which Secret's certificate to present for a server name. A pure function over the served
// Ingresses' `spec.tls` entries: an exact host beats a wildcard (`*.example.com`, one label); the
// oldest Ingress wins a tie. Entries without hosts or secretName are skipped (upstream uses them
// for the default certificate, which is what a miss gives here too).
import { byAge, hostMatches, normalizeHost } from './match.js';
import type { Ingress } from './match.js';

export interface SecretRef {
  namespace: string;
  name: string;
}

export function secretForServerName(ingresses: readonly Ingress[], serverName: string | undefined): SecretRef | undefined {
  const name = normalizeHost(serverName);
  if (!name) return undefined;
  let wildcard: SecretRef | undefined;
  for (const ing of [...ingresses].sort(byAge)) {
    for (const t of ing.spec?.tls ?? []) {
      if (!t.secretName) continue;
      for (const h of t.hosts ?? []) {
        const host = h.toLowerCase();
        const ref = { namespace: ing.metadata.namespace ?? 'default', name: t.secretName };
        if (host === name) return ref;
        if (!wildcard && host.startsWith('*.') && hostMatches(host, name)) wildcard = ref;
      }
    }
  }
  return wildcard;
}

const SSL_REDIRECT = 'nginx.ingress.kubernetes.io/ssl-redirect';

/**
 * ingress-nginx's ssl-redirect (on by default): plain HTTP for a host that the matched Ingress
 * lists under spec.tls is answered with a 308 to https, unless the Ingress sets the annotation
 * `nginx.ingress.kubernetes.io/ssl-redirect: "false"`.
 */
export function sslRedirect(ing: Ingress, rawHost: string | undefined): boolean {
  if (ing.metadata.annotations?.[SSL_REDIRECT] === 'false') return false;
  const host = normalizeHost(rawHost);
  return (ing.spec?.tls ?? []).some((t) => (t.hosts ?? []).some((h) => h.toLowerCase() === host || (h.startsWith('*.') && hostMatches(h.toLowerCase(), host))));
}
