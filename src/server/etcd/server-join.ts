// Joining servers (k3s's `--server URL --token …` for a server): the first server serves the
// cluster's bootstrap data — everything servers must share: the server and client CAs with their
// keys, the service-account signing key, the etcd CA and key (a joiner mints its own member
// certificates), the secrets-encryption config if any, and the node token — at
// /v1-kts/server-bootstrap, only to a caller presenting the full node token (an agent's bootstrap
// token does not pass). The joiner pins the server CA with the token's hash (as agents do), writes
// the files into its own data dir and learns the etcd client URL to ask for membership at.
import { timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { StatusError } from '../../api/errors.js';
import type { UserInfo } from '../../apiserver/authn.js';
import { resolveServerCa } from '../../agent/join.js';
import { writeFileAtomic } from '../../util/fs.js';
import type { Logger } from '../../util/log.js';

export const SERVER_BOOTSTRAP_PATH = '/v1-kts/server-bootstrap';

/** The shared files, relative to <data-dir>/server; the optional ones are sent when present. */
const SHARED = ['tls/server-ca.crt', 'tls/server-ca.key', 'tls/client-ca.crt', 'tls/client-ca.key', 'tls/service-account.key', 'tls/etcd/ca.crt', 'tls/etcd/ca.key', 'node-token'];
const OPTIONAL = ['cred/encryption-config.json'];

export interface ServerBootstrap {
  files: Record<string, string>;
  /** Client URLs of etcd members to send MemberAdd to. */
  etcdEndpoints: string[];
}

/** The route on the API port; `etcdClientUrl` undefined: this server has no embedded etcd to join. */
export function serverBootstrapRoute(serverDir: string, nodeToken: string, etcdClientUrl: string | undefined) {
  return async (path: string, req: IncomingMessage, res: ServerResponse, user: UserInfo): Promise<boolean> => {
    if (path !== SERVER_BOOTSTRAP_PATH) return false;
    const presented = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const want = Buffer.from(nodeToken);
    if (presented.length !== want.length || !timingSafeEqual(presented, want)) throw new StatusError(403, 'Forbidden', `forbidden: User "${user.name}" cannot get path "${path}": only the full node token may fetch the server bootstrap data`);
    if ((req.method ?? 'GET') !== 'GET') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    if (!etcdClientUrl) throw new StatusError(400, 'BadRequest', 'this server does not run the embedded etcd, so no server can join it: start the first server with --cluster-init');
    const files: Record<string, string> = {};
    for (const rel of [...SHARED, ...OPTIONAL]) {
      const p = join(serverDir, rel);
      if (existsSync(p)) files[rel] = readFileSync(p, 'utf8');
      else if (SHARED.includes(rel)) throw new StatusError(500, 'InternalError', `the server's ${rel} is missing`);
    }
    const body: ServerBootstrap = { files, etcdEndpoints: [etcdClientUrl] };
    const text = JSON.stringify(body);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(text);
    return true;
  };
}

/**
 * Fetches the bootstrap data from `server` (CA pinned by the token's hash) and writes it into
 * `serverDir`; returns the etcd client URLs to join through.
 */
export async function fetchServerBootstrap(serverDir: string, join_: { server: string; token: string }, log: Logger): Promise<string[]> {
  const caPem = await resolveServerCa({ server: join_.server, token: join_.token });
  log.info(`joining the cluster of ${join_.server}: its CA matches the token`);
  const body = await getJson(new URL(SERVER_BOOTSTRAP_PATH, join_.server), caPem, join_.token);
  const data = body as ServerBootstrap;
  if (!data || typeof data.files !== 'object' || !Array.isArray(data.etcdEndpoints)) throw new Error(`${join_.server} sent malformed bootstrap data`);
  for (const rel of SHARED) if (typeof data.files[rel] !== 'string') throw new Error(`${join_.server}'s bootstrap data lacks ${rel}`);
  for (const [rel, content] of Object.entries(data.files)) {
    if (![...SHARED, ...OPTIONAL].includes(rel) || typeof content !== 'string') continue;
    const p = join(serverDir, rel);
    if (existsSync(p) && readFileSync(p, 'utf8') !== content) log.warn(`replacing ${p} with the cluster's`);
    mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
    await writeFileAtomic(p, content, rel.endsWith('.crt') ? 0o644 : 0o600);
  }
  log.info(`wrote the cluster's CAs, keys and node token (${Object.keys(data.files).length} files) into ${serverDir}`);
  return data.etcdEndpoints;
}

function getJson(url: URL, caPem: string, token: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: caPem, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          let msg = text;
          try {
            msg = (JSON.parse(text) as { message?: string }).message ?? text;
          } catch {
            // not a Status
          }
          return reject(new Error(`${url.origin} refused the server bootstrap request (${res.statusCode}): ${msg}`));
        }
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(new Error(`${url.origin} sent malformed bootstrap data: ${(e as Error).message}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timed out fetching the bootstrap data from ${url.origin}`)));
    req.on('error', reject);
    req.end();
  });
}
