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
