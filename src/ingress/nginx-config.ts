// The nginx data plane's configuration, a pure function of the served Ingresses: one server block
// per rule host (exact names, `*.example.com` as a one-label regex, host-less rules in the default
// server), locations that give nginx's own lookup (exact `=`, then the longest prefix) the
// Ingress semantics of match.ts, and one upstream per Service port with its ready endpoints.
// Everything taken from objects is checked against a strict character set before it is written,
// so an Ingress cannot inject configuration.
import type { Ingress, IngressBackend } from './match.js';
import { hostMatches } from './match.js';
import type { Target } from './endpoints.js';
import { sslRedirect } from './tls-select.js';

export type BackendResolution = { ok: true; key: string; targets: Target[] } | { ok: false; status: number; reason: string };

export interface NginxConfigInput {
  /** The served Ingresses, oldest first. */
  ingresses: readonly Ingress[];
  resolve(ing: Ingress, backend: IngressBackend): BackendResolution;
  /** The certificate+key file for a TLS server name, when an Ingress names a usable Secret for it. */
  certFor(serverName: string): string | undefined;
  defaultCertPath: string;
  bindAddress: string;
  httpPort: number;
  httpsPort: number;
  /** nginx's prefix: pid file and temp directories live here. */
  dir: string;
  workers: number;
}

interface PathEntry {
  ing: Ingress;
  path: string;
  exact: boolean;
  backend: IngressBackend;
  ruleHost: string;
}

const HOST_RE = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
// RFC 3986 path characters (percent-encoding included), never quotes, braces, semicolons or spaces.
const PATH_RE = /^\/[A-Za-z0-9\-._~!$&'()*+,=:@%/]*$/;

export const safeHost = (h: string): boolean => h.length <= 253 && HOST_RE.test(h);
export const safePath = (p: string): boolean => PATH_RE.test(p) && p.length <= 2048;

/** nginx server_name for a rule host: exact, or a regex for one label before a wildcard's suffix. */
function serverName(host: string): string {
  if (!host.startsWith('*.')) return host;
  return `"~^[^.]+${host.slice(1).replace(/\./g, '\\.')}$"`;
}

export function renderNginxConfig(input: NginxConfigInput): { config: string; skipped: string[] } {
  const skipped: string[] = [];
  const byHost = new Map<string, PathEntry[]>();
  for (const ing of input.ingresses) {
    const id = `${ing.metadata.namespace}/${ing.metadata.name}`;
    for (const r of ing.spec?.rules ?? []) {
      if (!r.http) continue;
      const host = (r.host ?? '').toLowerCase();
      if (host && !safeHost(host)) {
        skipped.push(`${id}: host ${JSON.stringify(r.host)} is not a valid DNS name`);
        continue;
      }
      if (!byHost.has(host)) byHost.set(host, []);
      for (const p of r.http.paths ?? []) {
        const path = p.path ?? '/';
        if (!safePath(path)) {
          skipped.push(`${id}: path ${JSON.stringify(path)} has characters the data plane does not accept`);
          continue;
        }
        byHost.get(host)!.push({ ing, path, exact: p.pathType === 'Exact', backend: p.backend, ruleHost: host });
      }
    }
  }
  const upstreams = new Map<string, { name: string; targets: Target[] }>();
  const fallback = input.ingresses.find((i) => i.spec?.defaultBackend);
  const proxyTo = (ing: Ingress, backend: IngressBackend, host: string, indent: string): string[] => {
    const out: string[] = [];
    if (host && sslRedirect(ing, host.startsWith('*.') ? `x${host.slice(1)}` : host)) {
      const port = input.httpsPort === 443 ? '' : `:${input.httpsPort}`;
      out.push(`${indent}if ($scheme = http) { return 308 https://$host${port}$request_uri; }`);
    }
    const r = input.resolve(ing, backend);
    if (!r.ok) return [...out, `${indent}# ${r.reason.replace(/[\r\n]/g, ' ')}`, `${indent}return ${r.status};`];
    let up = upstreams.get(r.key);
    if (!up) upstreams.set(r.key, (up = { name: `u${upstreams.size}`, targets: r.targets }));
    return [...out, `${indent}proxy_pass http://${up.name};`];
  };
  const locations = (entries: PathEntry[], host: string): string[] => {
    const claimed = new Map<string, string[]>();
    const claim = (key: string, e: PathEntry) => {
      if (claimed.has(key)) return;
      const [mod, path] = key.startsWith('=') ? ['= ', key.slice(1)] : key === '/' ? ['', '/'] : ['^~ ', key];
      const comment = `    # ${e.ing.metadata.namespace}/${e.ing.metadata.name}: ${e.ruleHost || '*'}${e.path} (${e.exact ? 'Exact' : 'Prefix'})`;
      claimed.set(key, [comment, `    location ${mod}"${path}" {`, ...proxyTo(e.ing, e.backend, host, '      '), '    }']);
    };
    // Exact paths first: they win a tie with a Prefix of the same path; oldest Ingress first.
    for (const e of entries) if (e.exact) claim(`=${e.path}`, e);
    for (const e of entries) {
      if (e.exact) continue;
      const p = e.path.replace(/\/+$/, '');
      if (p === '') claim('/', e);
      else {
        claim(`=${p}`, e);
        claim(`${p}/`, e);
      }
    }
    const out = [...claimed.values()].flat();
    if (!claimed.has('/')) {
      out.push('    location / {');
      out.push(...(fallback ? proxyTo(fallback, fallback.spec!.defaultBackend!, host, '      ') : ['      return 404;']));
      out.push('    }');
    }
    return out;
  };
  const servers: string[] = [];
  const server = (name: string | undefined, entries: PathEntry[], routeHost: string) => {
    const cert = (name && input.certFor(name.startsWith('*.') ? `x${name.slice(1)}` : name)) ?? input.defaultCertPath;
    const def = name === undefined ? ' default_server' : '';
    servers.push(
      '  server {',
      `    listen ${input.bindAddress}:${input.httpPort}${def};`,
      `    listen ${input.bindAddress}:${input.httpsPort} ssl${def};`,
      `    server_name ${name === undefined ? '_' : serverName(name)};`,
      `    ssl_certificate ${cert};`,
      `    ssl_certificate_key ${cert};`,
      ...locations(entries, routeHost),
      '  }',
    );
  };
  const ruleHosts = [...byHost.keys()].filter((h) => h !== '');
  server(undefined, byHost.get('') ?? [], '');
  for (const h of ruleHosts) server(h, byHost.get(h)!, h);
  // TLS names without rules of their own still need their certificate: a server block with the
  // routes they would get anyway (a matching wildcard host's, else the default server's).
  const tlsOnly = new Set<string>();
  for (const ing of input.ingresses) for (const t of ing.spec?.tls ?? []) for (const h of t.hosts ?? []) if (t.secretName && safeHost(h.toLowerCase()) && !byHost.has(h.toLowerCase())) tlsOnly.add(h.toLowerCase());
  for (const h of tlsOnly) {
    const via = h.startsWith('*.') ? undefined : ruleHosts.find((r) => r.startsWith('*.') && hostMatches(r, h));
    server(h, via ? byHost.get(via)! : byHost.get('') ?? [], via ?? '');
  }
  const ups: string[] = [];
  for (const [key, u] of upstreams) {
    ups.push(`  upstream ${u.name} { # ${key}`);
    for (const t of u.targets) ups.push(`    server ${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port};`);
    ups.push('    keepalive 64;', '  }');
  }
  return { config: [...preamble(input), ...ups, ...servers, '}', ''].join('\n'), skipped };
}

function preamble(input: NginxConfigInput): string[] {
  const d = input.dir;
  return [
    '# Written by kts (the ingress controller); changes are overwritten.',
    'daemon off;',
    'master_process on;',
    `worker_processes ${input.workers};`,
    `pid ${d}/nginx.pid;`,
    'error_log stderr warn;',
    'events { worker_connections 16384; }',
    'http {',
    '  access_log off;',
    '  server_tokens off;',
    '  server_names_hash_bucket_size 128;',
    '  server_names_hash_max_size 4096;',
    `  client_body_temp_path ${d}/tmp/body;`,
    `  proxy_temp_path ${d}/tmp/proxy;`,
    `  fastcgi_temp_path ${d}/tmp/fastcgi;`,
    `  uwsgi_temp_path ${d}/tmp/uwsgi;`,
    `  scgi_temp_path ${d}/tmp/scgi;`,
    '  ssl_protocols TLSv1.2 TLSv1.3;',
    '  ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;',
    '  ssl_session_cache shared:kts_ssl:10m;',
    '  keepalive_timeout 75s;',
    // Bodies stream both ways (no buffering, no size limit), as the built-in proxy does.
    '  client_max_body_size 0;',
    '  proxy_request_buffering off;',
    '  proxy_buffering off;',
    '  proxy_http_version 1.1;',
    '  proxy_connect_timeout 5s;',
    '  proxy_read_timeout 60s;',
    '  proxy_send_timeout 60s;',
    '  proxy_next_upstream error timeout;',
    '  proxy_next_upstream_tries 3;',
    // WebSocket and other upgrades pass through; plain requests reuse upstream connections.
    '  map $http_upgrade $kts_connection { default upgrade; "" ""; }',
    '  map $http_x_request_id $kts_request_id { default $http_x_request_id; "" $request_id; }',
    '  proxy_set_header Connection $kts_connection;',
    '  proxy_set_header Upgrade $http_upgrade;',
    '  proxy_set_header Host $http_host;',
    '  proxy_set_header X-Request-ID $kts_request_id;',
    '  proxy_set_header X-Original-Forwarded-For $http_x_forwarded_for;',
    '  proxy_set_header X-Forwarded-For $remote_addr;',
    '  proxy_set_header X-Real-IP $remote_addr;',
    '  proxy_set_header X-Forwarded-Proto $scheme;',
    '  proxy_set_header X-Forwarded-Host $http_host;',
    '  proxy_set_header X-Forwarded-Port $server_port;',
    '  proxy_set_header X-Forwarded-Scheme $scheme;',
  ];
}
