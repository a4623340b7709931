// The data plane: an HTTP reverse proxy that streams request and response bodies (no buffering),
// sets X-Forwarded-* as ingress-nginx does, and pipes Upgrade requests (WebSocket) both ways.
// Timeouts follow ingress-nginx's defaults: 5 s to connect, 60 s without data while reading.
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Target } from './endpoints.js';

/** `targets`: the endpoints to try in order (the round-robin pick first). */
export type Decision = { ok: true; targets: Target[]; route: string } | { ok: false; status: number; reason: string; redirect?: string };

export interface ProxyOptions {
  /** Route a request (Host header + path) to a backend endpoint or an error status. */
  /** `redirect` (with a 3xx status): the scheme://host[:port] to send the client to, path kept. */
  decide(host: string | undefined, path: string, scheme: 'http' | 'https'): Decision;
  scheme: 'http' | 'https';
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  onError?(msg: string): void;
}

// RFC 9110 §7.6.1 hop-by-hop headers: never forwarded.
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Request headers for the upstream: hop-by-hop dropped, X-Forwarded-* set from this hop. */
export function forwardHeaders(h: IncomingHttpHeaders, o: { remoteAddress: string; scheme: string; localPort: number }, upgrade: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const listed = new Set(String(h.connection ?? '').toLowerCase().split(',').map((s) => s.trim()));
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP.has(k) || listed.has(k)) continue;
    out[k] = v;
  }
  // ingress-nginx without use-forwarded-headers: the client is whoever connected to us; what the
  // client claimed is kept aside as X-Original-Forwarded-For.
  if (h['x-forwarded-for'] !== undefined) out['x-original-forwarded-for'] = h['x-forwarded-for'];
  out['x-request-id'] = typeof h['x-request-id'] === 'string' && h['x-request-id'] ? h['x-request-id'] : randomBytes(16).toString('hex');
  out['x-forwarded-for'] = o.remoteAddress;
  out['x-real-ip'] = o.remoteAddress;
  out['x-forwarded-proto'] = o.scheme;
  out['x-forwarded-host'] = h.host ?? '';
  out['x-forwarded-port'] = String(o.localPort);
  out['x-forwarded-scheme'] = o.scheme;
  if (upgrade) {
    out.connection = 'upgrade';
    out.upgrade = h.upgrade ?? '';
  }
  return out;
}

function responseHeaders(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const listed = new Set(String(h.connection ?? '').toLowerCase().split(',').map((s) => s.trim()));
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k) && !listed.has(k)) out[k] = v;
  return out;
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q >= 0 ? u.slice(0, q) : u;
}

function errorPage(status: number): string {
  const text: Record<number, string> = { 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Timeout' };
  return `<html><head><title>${status} ${text[status] ?? ''}</title></head><body><center><h1>${status} ${text[status] ?? ''}</h1></center><hr><center>kts ingress</center></body></html>\n`;
}

function sendError(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorPage(status);
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The `request` handler of an http/https server. */
export function proxyHandler(o: ProxyOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const connectMs = o.connectTimeoutMs ?? 5000;
  const idleMs = o.idleTimeoutMs ?? 60_000;
  return (req, res) => {
    const d = o.decide(req.headers.host, pathOf(req.url), o.scheme);
    if (!d.ok) {
      req.resume();
      if (d.redirect) {
        res.writeHead(d.status, { location: d.redirect + (req.url ?? '/'), 'content-length': 0 });
        res.end();
        return;
      }
      if (d.status !== 404) o.onError?.(`${req.headers.host ?? ''}${pathOf(req.url)}: ${d.reason}`);
      sendError(res, d.status);
      return;
    }
    const headers = forwardHeaders(req.headers, { remoteAddress: req.socket.remoteAddress ?? '', scheme: o.scheme, localPort: req.socket.localPort ?? 0 }, false);
    // As ingress-nginx's proxy_next_upstream "error timeout": a failed connect moves on to the next
    // endpoint (up to 3 tries). The body is only piped once connected, so nothing is lost.
    const tries = Math.min(3, d.targets.length);
    let clientGone = false;
    const attempt = (n: number) => {
      const target = d.targets[n]!;
      const up = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers, setHost: false });
      let connected = false;
      const connectTimer = setTimeout(() => up.destroy(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' })), connectMs);
      up.on('socket', (s: Socket) => {
        const done = () => {
          connected = true;
          clearTimeout(connectTimer);
          req.pipe(up);
        };
        if (s.connecting) s.once('connect', done);
        else done();
      });
      up.setTimeout(idleMs, () => up.destroy(Object.assign(new Error('read timeout'), { code: 'READ_TIMEOUT' })));
      up.on('response', (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.statusMessage, responseHeaders(ur.headers));
        // Streaming responses (SSE, chunked) reach the client as they come.
        res.flushHeaders();
        ur.pipe(res);
        ur.on('error', () => res.destroy());
      });
      up.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer);
        if (clientGone) return;
        o.onError?.(`${d.route} → ${target.host}:${target.port}: ${e.message}${connected ? '' : ' (connecting)'}`);
        if (!connected && n + 1 < tries) return attempt(n + 1);
        sendError(res, e.code === 'CONNECT_TIMEOUT' || e.code === 'READ_TIMEOUT' ? 504 : 502);
      });
      // The client went away: stop the upstream request too.
      res.once('close', () => {
        clearTimeout(connectTimer);
        if (!res.writableFinished) {
          clientGone = true;
          up.destroy();
        }
      });
    };
    attempt(0);
  };
}

/** The `upgrade` handler: the upstream's 101 is relayed, then bytes flow both ways untouched. */
export function upgradeHandler(o: ProxyOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const connectMs = o.connectTimeoutMs ?? 5000;
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const d = o.decide(req.headers.host, pathOf(req.url), o.scheme);
    if (!d.ok) {
      const location = d.redirect ? `location: ${d.redirect}${req.url ?? '/'}\r\n` : '';
      socket.end(`HTTP/1.1 ${d.status} ${d.redirect ? 'Permanent Redirect' : d.status === 404 ? 'Not Found' : 'Error'}\r\n${location}connection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    const local = req.socket;
    const headers = forwardHeaders(req.headers, { remoteAddress: local.remoteAddress ?? '', scheme: o.scheme, localPort: local.localPort ?? 0 }, true);
    const target = d.targets[0]!;
    const up = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers, setHost: false });
    const timer = setTimeout(() => up.destroy(new Error('connect timeout')), connectMs);
    up.on('upgrade', (ur, upSocket, upHead) => {
      clearTimeout(timer);
      const lines = [`HTTP/1.1 ${ur.statusCode} ${ur.statusMessage}`];
      for (let i = 0; i < ur.rawHeaders.length; i += 2) lines.push(`${ur.rawHeaders[i]}: ${ur.rawHeaders[i + 1]}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n');
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.on('error', () => socket.destroy());
      socket.on('close', () => upSocket.destroy());
      upSocket.on('close', () => socket.destroy());
      upSocket.pipe(socket).pipe(upSocket);
    });
    // The upstream declined the upgrade: relay its answer and close.
    up.on('response', (ur) => {
      clearTimeout(timer);
      const lines = [`HTTP/1.1 ${ur.statusCode} ${ur.statusMessage}`];
      for (let i = 0; i < ur.rawHeaders.length; i += 2) if (!HOP.has(ur.rawHeaders[i]!.toLowerCase())) lines.push(`${ur.rawHeaders[i]}: ${ur.rawHeaders[i + 1]}`);
      socket.write(lines.join('\r\n') + '\r\nconnection: close\r\n\r\n');
      ur.pipe(socket);
    });
    up.on('error', (e) => {
      clearTimeout(timer);
      o.onError?.(`${d.route} (upgrade) → ${target.host}:${target.port}: ${e.message}`);
      socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    });
    socket.on('close', () => up.destroy());
    up.end();
  };
}
