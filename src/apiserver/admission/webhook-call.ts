// Calling one admission webhook: where it lives (clientConfig.url, or clientConfig.service
// resolved to an address) and one HTTPS POST of an AdmissionReview, verified with the caBundle,
// bounded by timeoutSeconds. Errors carry upstream's wording (`Post "<url>": <why>`).
//
// Service references: upstream dials the Service's clusterIP. kts has no cluster network on the
// control-plane host yet, so a service reference resolves to the Service's Endpoints: the first
// ready address and the endpoint port behind the Service port (its targetPort). The TLS server
// name stays `<service>.<namespace>.svc`, as upstream verifies it.
import { request } from 'node:https';
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { Stores } from './types.js';

export interface ClientConfig {
  url?: string;
  service?: { namespace?: string; name?: string; path?: string; port?: number };
  caBundle?: string;
}

export interface Target {
  /** The URL upstream would show in errors (`https://svc.ns.svc:443/path` for services). */
  displayUrl: string;
  /** Where to connect. */
  host: string;
  port: number;
  path: string;
  servername: string;
}

/** An error talking to the webhook (as opposed to a webhook's denial). */
export class CallError extends Error {}

type Obj = Record<string, unknown>;
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isPlainObject) : []);

async function serviceTarget(svc: NonNullable<ClientConfig['service']>, stores: Stores, timeoutSeconds: number): Promise<Target> {
  const ns = svc.namespace ?? '';
  const name = svc.name ?? '';
  const port = svc.port ?? 443;
  const path = svc.path || '/';
  const host = `${name}.${ns}.svc`;
  const displayUrl = `https://${host}:${port}${path}`;
  const fail = (why: string): never => { throw new CallError(`failed to call webhook: Post "${displayUrl}?timeout=${timeoutSeconds}s": ${why}`); };
  const service = await stores.get('/services')?.tryGet(ns, name);
  if (!service) return fail(`service "${name}" not found`);
  const sp = objs((service.spec as Obj | undefined)?.ports).find((p) => p.port === port);
  if (!sp) return fail(`service "${name}" has no port ${port}`);
  const eps: KObject | undefined = await stores.get('/endpoints')?.tryGet(ns, name);
  for (const subset of objs(eps?.subsets)) {
    const addr = objs(subset.addresses)[0];
    // Named Service ports map to the endpoint port of the same name; an unnamed one is alone.
    const epPort = objs(subset.ports).find((p) => (sp.name ? p.name === sp.name : true));
    if (addr && typeof addr.ip === 'string' && epPort && typeof epPort.port === 'number') {
      return { displayUrl, host: addr.ip, port: epPort.port, path, servername: host };
    }
  }
  return fail(`no endpoints available for service "${name}"`);
}

export async function resolveTarget(cc: ClientConfig, stores: Stores, timeoutSeconds: number): Promise<Target> {
  if (cc.url) {
    const u = new URL(cc.url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { displayUrl: cc.url, host, port: u.port ? Number(u.port) : 443, path: u.pathname + u.search, servername: host };
  }
  if (cc.service) return serviceTarget(cc.service, stores, timeoutSeconds);
  throw new CallError('failed to call webhook: no url or service in clientConfig');
}

/** POSTs `body` and returns the parsed JSON reply; throws CallError on any transport problem. */
export function postReview(target: Target, caBundle: string | undefined, body: unknown, timeoutSeconds: number): Promise<unknown> {
  const sep = target.path.includes('?') ? '&' : '?';
  const path = `${target.path}${sep}timeout=${timeoutSeconds}s`;
  const shown = `Post "${target.displayUrl}${target.displayUrl.includes('?') ? '&' : '?'}timeout=${timeoutSeconds}s"`;
  const payload = Buffer.from(JSON.stringify(body));
  const ca = caBundle ? Buffer.from(caBundle, 'base64').toString('utf8') : undefined;
  const isIp = /^[\d.]+$|:/.test(target.servername);
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.host, port: target.port, path, method: 'POST',
      ca, servername: isIp ? undefined : target.servername,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': payload.length },
      agent: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new CallError(`failed to call webhook: ${shown}: ${e.message}`)));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
          reject(new CallError(`failed to call webhook: the server responded with the status code ${res.statusCode} but did not return more information`));
          return;
        }
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new CallError('received invalid webhook response: could not decode the response as an AdmissionReview'));
        }
      });
    });
    // As upstream's client: the whole call (connect, TLS, reply) is bounded by the timeout.
    const timer = setTimeout(() => {
      req.destroy();
      reject(new CallError(`failed to call webhook: ${shown}: context deadline exceeded`));
    }, timeoutSeconds * 1000);
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new CallError(`failed to call webhook: ${shown}: ${describe(e, target)}`));
    });
    req.end(payload);
  });
}

function describe(e: NodeJS.ErrnoException, t: Target): string {
  if (e.code === 'ECONNREFUSED') return `dial tcp ${t.host}:${t.port}: connect: connection refused`;
  if (e.code === 'ENOTFOUND') return `dial tcp: lookup ${t.host}: no such host`;
  if (e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || e.code === 'SELF_SIGNED_CERT_IN_CHAIN' || e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT') return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `tls: failed to verify certificate: x509: ${e.message}`;
  return e.message;
}
