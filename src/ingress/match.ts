// Rule matching, a pure function: the Ingresses this controller serves + a request's host and
// path → the backend, with upstream's semantics (networking.k8s.io/v1 and ingress-nginx):
// - hosts: an exact host beats a wildcard (`*.example.com` matches one label only), which beats
//   rules without a host; the most specific host that has rules is the only one searched;
// - paths: Exact matches the path as is; Prefix (and ImplementationSpecific, treated as Prefix)
//   matches element-wise on `/`-separated segments, ignoring a trailing slash (`/foo` matches
//   `/foo`, `/foo/`, `/foo/bar`, not `/foobar`); the longest path wins, Exact before Prefix on a
//   tie, and between Ingresses the oldest wins;
// - no rule matched: the oldest `spec.defaultBackend`, else nothing (the caller answers 404).
import type { KObject } from '../api/types.js';

export interface ServiceBackend {
  name: string;
  port: { number?: number; name?: string };
}

export interface IngressBackend {
  service?: ServiceBackend;
  resource?: { apiGroup?: string; kind: string; name: string };
}

export interface IngressPath {
  path?: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: IngressPath[] };
}

export interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  tls?: { hosts?: string[]; secretName?: string }[];
  rules?: IngressRule[];
}

export type Ingress = KObject & { spec?: IngressSpec };

export interface Match {
  /** The Ingress whose rule (or default backend) matched; its namespace holds the Service. */
  ingress: Ingress;
  backend: IngressBackend;
  /** Which rule matched, for logs: `host/path` or `default`. */
  route: string;
}

/** Lower-case host without a port (`Example.com:8080` → `example.com`; IPv6 brackets kept). */
export function normalizeHost(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return i >= 0 ? h.slice(0, i) : h;
}

/** Does a rule's host (exact or `*.suffix`) match the request host? */
export function hostMatches(ruleHost: string, host: string): boolean {
  if (!ruleHost.startsWith('*.')) return ruleHost === host;
  const suffix = ruleHost.slice(1);
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}

/** Element-wise prefix match: `/foo/` and `/foo` both match `/foo`, `/foo/bar`, never `/foobar`. */
export function prefixMatches(prefix: string, path: string): boolean {
  const p = trimSlash(prefix);
  if (p === '') return true;
  const q = trimSlash(path);
  return q === p || q.startsWith(p + '/');
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

/** 0 exact, 1 wildcard, 2 no host; -1 no match. */
function hostRank(ruleHost: string | undefined, host: string): number {
  if (!ruleHost) return 2;
  if (ruleHost.startsWith('*.')) return hostMatches(ruleHost, host) ? 1 : -1;
  return ruleHost === host ? 0 : -1;
}

export function byAge(a: KObject, b: KObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * The backend for a request. `ingresses` are those this controller serves; `host` is the request's
 * Host header (port and case ignored), `path` the URL path (no query string).
 */
export function matchRequest(ingresses: readonly Ingress[], rawHost: string | undefined, path: string): Match | undefined {
  const host = normalizeHost(rawHost);
  const sorted = [...ingresses].sort(byAge);
  // The most specific host rank that has any rule for this host.
  let best = -1;
  for (const ing of sorted) {
    for (const r of ing.spec?.rules ?? []) {
      const rank = hostRank(r.host, host);
      if (rank >= 0 && r.http && (best < 0 || rank < best)) best = rank;
    }
  }
  let found: { m: Match; len: number; exact: boolean } | undefined;
  if (best >= 0) {
    for (const ing of sorted) {
      for (const r of ing.spec?.rules ?? []) {
        if (hostRank(r.host, host) !== best || !r.http) continue;
        for (const p of r.http.paths ?? []) {
          const rulePath = p.path ?? '/';
          const exact = p.pathType === 'Exact';
          if (exact ? rulePath !== path : !prefixMatches(rulePath, path)) continue;
          const len = exact ? rulePath.length : trimSlash(rulePath).length;
          // Strictly better only: on a full tie the older Ingress (seen first) keeps the route.
          if (!found || len > found.len || (len === found.len && exact && !found.exact)) {
            found = { m: { ingress: ing, backend: p.backend, route: `${r.host ?? '*'}${rulePath}` }, len, exact };
          }
        }
      }
    }
  }
  if (found) return found.m;
  const fallback = sorted.find((i) => i.spec?.defaultBackend);
  return fallback ? { ingress: fallback, backend: fallback.spec!.defaultBackend!, route: 'default' } : undefined;
}
