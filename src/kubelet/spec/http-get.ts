// The HTTP GET that httpGet probes and lifecycle hooks make, as upstream's kubelet does: URL from
// the action (host default the pod IP, named or numeric port), `kube-<purpose>/<major.minor>`
// User-Agent, Accept */*, no certificate verification, redirects followed only to the same host,
// at most 10 KiB of body read, one deadline for the whole exchange. Errors read as Go prints them
// (`Get "http://10.42.0.5:80/": dial tcp 10.42.0.5:80: connect: connection refused`).
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Container, HTTPGetAction, IntOrString } from './types.js';

export const MAX_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;

/** A named port of the container, or a number (also written as a string). */
export function resolveContainerPort(port: IntOrString, container: Container): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else {
    const named = container.ports?.find((p) => p.name === port);
    if (named) n = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new Error(`strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax`);
  }
  if (n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}

export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

export function actionUrl(action: HTTPGetAction, container: Container, podIP: string): URL {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const host = action.host || podIP;
  const port = resolveContainerPort(action.port, container);
  const path = action.path ?? '';
  return new URL(`${scheme}://${joinHostPort(host, port)}${path.startsWith('/') || path === '' ? path : '/' + path}`);
}

export function requestHeaders(action: HTTPGetAction, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of action.httpHeaders ?? []) headers[h.name.toLowerCase()] = headers[h.name.toLowerCase()] ? `${headers[h.name.toLowerCase()]}, ${h.value}` : h.value;
  if (!('user-agent' in headers)) headers['user-agent'] = userAgent;
  if (!('accept' in headers)) headers['accept'] = '*/*';
  else if (headers['accept'] === '') delete headers['accept'];
  return headers;
}

export interface HttpGetResult { status: number; body: string }

const SYSCALL_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ECONNRESET: 'read: connection reset by peer',
  EPIPE: 'write: broken pipe',
};

/** Node's socket error in Go's words. */
function goError(err: NodeJS.ErrnoException, url: URL): string {
  const addr = joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || (url.protocol === 'https:' ? 443 : 80)));
  const text = err.code ? SYSCALL_TEXT[err.code] : undefined;
  if (text) return `dial tcp ${addr}: ${text}`;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `dial tcp: lookup ${url.hostname}: no such host`;
  if (err.code === 'EPROTO' || /wrong version number|packet length too long/i.test(err.message)) return 'http: server gave HTTP response to HTTPS client';
  return err.message;
}

export class HttpGetError extends Error {}

/** GET with redirects to the same host, the body cut at 10 KiB, timeoutMs for everything. */
export async function httpGet(url: URL, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<HttpGetResult> {
  const deadline = AbortSignal.timeout(Math.max(1, timeoutMs));
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  const firstHost = url.hostname;
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const res = await once(current, headers, combined, deadline);
    const location = res.location;
    if (res.status >= 300 && res.status < 400 && location && [301, 302, 303, 307, 308].includes(res.status)) {
      const next = new URL(location, current);
      // Another host: stop and report this response (upstream's probes treat it as a warning).
      if (next.hostname !== firstHost) return res;
      if (redirects + 1 >= MAX_REDIRECTS) throw new HttpGetError(`Get ${JSON.stringify(next.pathname + next.search)}: stopped after 10 redirects`);
      current = next;
      continue;
    }
    return res;
  }
}

function once(url: URL, headers: Record<string, string>, signal: AbortSignal, deadline: AbortSignal): Promise<HttpGetResult & { location?: string }> {
  const mod = url.protocol === 'https:' ? https : http;
  const hostHeader = headers['host'];
  return new Promise((resolve, reject) => {
    const fail = (msg: string) => reject(new HttpGetError(`Get ${JSON.stringify(url.toString())}: ${msg}`));
    const onAbort = () => {
      req.destroy();
      fail(deadline.aborted ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : 'context canceled');
    };
    const req = mod.get(url, { headers: { ...headers, ...(hostHeader ? { host: hostHeader } : {}) }, rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        signal.removeEventListener('abort', onAbort);
        res.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8'), location: res.headers.location });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= MAX_BODY) finish();
      });
      res.on('end', finish);
      res.on('error', () => finish());
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      if (!signal.aborted) fail(goError(err, url));
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
