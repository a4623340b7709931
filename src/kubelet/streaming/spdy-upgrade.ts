// The HTTP/1.1 Upgrade handshakes that start a SPDY/3.1 connection, as Kubernetes does them:
// `Upgrade: SPDY/3.1` plus `X-Stream-Protocol-Version` offers; the server picks one and echoes it.
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { SpdySession } from './spdy-session.js';

export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1';
}

/** The protocols the client offered (the header may repeat or be comma-separated). */
export function offeredProtocols(req: IncomingMessage): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'x-stream-protocol-version') out.push(...req.rawHeaders[i + 1]!.split(',').map((s) => s.trim()).filter(Boolean));
  }
  return out;
}

/** Answers the upgrade with 101 and returns the server side of the SPDY connection. */
export function acceptSpdy(socket: Duplex, head: Buffer, protocol: string | undefined): SpdySession {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n${protocol ? `X-Stream-Protocol-Version: ${protocol}\r\n` : ''}\r\n`);
  const session = new SpdySession(socket, 'server');
  if (head.length) socket.unshift(head);
  return session;
}

/** Dials a runtime streaming URL (http, localhost) and upgrades to SPDY offering `protocols`. */
export function dialSpdy(url: string, protocols: string[], signal: AbortSignal): Promise<{ session: SpdySession; protocol: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    if (u.protocol !== 'http:') return reject(new Error(`unsupported runtime streaming URL scheme "${u.protocol}" in ${url}`));
    const req = request({ host: u.hostname, port: u.port || 80, path: `${u.pathname}${u.search}`, method: 'POST', signal, headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocols, 'Content-Length': '0' } });
    req.on('upgrade', (res, socket, head) => {
      const protocol = String(res.headers['x-stream-protocol-version'] ?? '');
      const session = new SpdySession(socket, 'client');
      if (head.length) socket.unshift(head);
      resolve({ session, protocol });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => reject(new Error(`runtime streaming server answered ${res.statusCode}: ${body.trim()}`)));
    });
    req.on('error', reject);
    req.end();
  });
}
