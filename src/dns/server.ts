// The DNS server's sockets: UDP and TCP (RFC 7766: two-byte length prefix, several queries per
// connection, idle connections closed) on one address and port. Port 0 picks a free port that
// both protocols get. Everything is closed when the signal aborts.
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { isIPv6 } from 'node:net';
import type { QueryHandler } from './handler.js';

const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 512;

export interface DnsServer {
  address: string;
  port: number;
  /** Settles when both sockets are closed (after the signal aborts). */
  done: Promise<void>;
}

export async function startDnsServer(address: string, port: number, handler: QueryHandler, signal: AbortSignal, onError: (msg: string) => void = () => {}): Promise<DnsServer> {
  let bound: { udp: UdpSocket; tcp: Server } | undefined;
  let lastError: Error | undefined;
  // With port 0 the UDP port the kernel picks may be taken for TCP: try a few.
  for (let attempt = 0; attempt < (port === 0 ? 10 : 1) && !bound; attempt++) {
    const udp = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address, port, exclusive: true }, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      const tcp = createServer();
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port: udp.address().port, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      bound = { udp, tcp };
    } catch (e) {
      lastError = e as Error;
      udp.close();
    }
  }
  if (!bound) throw lastError ?? new Error('cannot bind');
  const { udp, tcp } = bound;
  const actual = udp.address().port;

  udp.on('message', (msg, rinfo) => {
    void handler.handle(msg, 'udp', signal).then(
      (out) => {
        if (out && !signal.aborted) udp.send(out, rinfo.port, rinfo.address);
      },
      (e: Error) => onError(`udp query: ${e.message}`),
    );
  });
  udp.on('error', (e) => onError(`udp: ${e.message}`));

  const conns = new Set<Socket>();
  tcp.on('connection', (sock) => {
    if (conns.size >= MAX_TCP_CONNECTIONS) return sock.destroy();
    conns.add(sock);
    sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
    sock.on('close', () => conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const query = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void handler.handle(Buffer.from(query), 'tcp', signal).then(
          (out) => {
            if (!out || sock.destroyed) return;
            const head = Buffer.alloc(2);
            head.writeUInt16BE(out.length);
            sock.write(Buffer.concat([head, out]));
          },
          (e: Error) => onError(`tcp query: ${e.message}`),
        );
      }
    });
  });
  tcp.on('error', (e) => onError(`tcp: ${e.message}`));

  const done = new Promise<void>((resolve) => {
    const stop = () => {
      for (const c of conns) c.destroy();
      let open = 2;
      const closed = () => --open === 0 && resolve();
      udp.close(closed);
      tcp.close(closed);
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  return { address, port: actual, done };
}
