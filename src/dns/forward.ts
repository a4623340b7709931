// Forwarding of names outside the cluster domain to the host's resolvers, read from resolv.conf as
// k3s does: loopback stubs (systemd-resolved's 127.0.0.53, a local dnsmasq) cannot serve pods and
// would loop back to us, so they are skipped, trying systemd-resolved's upstream list instead.
// Each query goes out on its own socket (the reply must come from the server asked, with our id),
// over the client's transport: a UDP client gets a truncated upstream reply as it is and retries
// over TCP, which is then forwarded over TCP. When no server answers in time the caller replies
// SERVFAIL.
import { createSocket } from 'node:dgram';
import { readFileSync, existsSync } from 'node:fs';
import { isIP, connect } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

/** Nameservers of a resolv.conf text, without loopback ones. */
export function parseResolvConf(text: string): { servers: Upstream[]; loopback: number } {
  const servers: Upstream[] = [];
  let loopback = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const host = m[1]!.replace(/%.*$/, '');
    if (!isIP(host)) continue;
    if (host.startsWith('127.') || host === '::1') loopback++;
    else servers.push({ host, port: 53 });
  }
  return { servers, loopback };
}

/** The upstream servers for `path`; when it lists only loopback stubs, systemd-resolved's real list. */
export function readUpstreams(path: string, fallback = '/run/systemd/resolve/resolv.conf'): Upstream[] {
  const main = existsSync(path) ? parseResolvConf(readFileSync(path, 'utf8')) : { servers: [], loopback: 0 };
  if (main.servers.length === 0 && main.loopback > 0 && existsSync(fallback)) return parseResolvConf(readFileSync(fallback, 'utf8')).servers;
  return main.servers;
}

export class Forwarder {
  constructor(
    readonly upstreams: Upstream[],
    /** Total time for a query across every upstream. */
    private readonly timeoutMs = 2000,
  ) {}

  /** The upstream's reply to `query` (raw bytes), or undefined when none answers in time. */
  async forward(query: Buffer, signal: AbortSignal, transport: 'udp' | 'tcp' = 'udp'): Promise<Buffer | undefined> {
    if (this.upstreams.length === 0 || query.length < 12) return undefined;
    const per = Math.max(200, Math.floor(this.timeoutMs / this.upstreams.length));
    for (const u of this.upstreams) {
      if (signal.aborted) return undefined;
      const reply = await (transport === 'tcp' ? askTcp : ask)(u, query, per, signal);
      if (reply) return reply;
    }
    return undefined;
  }
}

function ask(u: Upstream, query: Buffer, timeoutMs: number, signal: AbortSignal): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket(isIP(u.host) === 6 ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    let done = false;
    const finish = (b: Buffer | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      sock.close();
      resolve(b);
    };
    const onAbort = () => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', () => finish(undefined));
    sock.on('message', (msg, rinfo) => {
      // Ignore strays: only the server asked, with our id, answers this query.
      if (msg.length >= 12 && msg.readUInt16BE(0) === id && rinfo.port === u.port) finish(msg);
    });
    sock.send(query, u.port, u.host, (e) => e && finish(undefined));
  });
}

function askTcp(u: Upstream, query: Buffer, timeoutMs: number, signal: AbortSignal): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = connect({ host: u.host, port: u.port });
    const id = query.readUInt16BE(0);
    let done = false;
    let buf = Buffer.alloc(0);
    const finish = (b: Buffer | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(b);
    };
    const onAbort = () => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', () => finish(undefined));
    sock.on('close', () => finish(undefined));
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
      finish(msg.length >= 12 && msg.readUInt16BE(0) === id ? Buffer.from(msg) : undefined);
    });
    const head = Buffer.alloc(2);
    head.writeUInt16BE(query.length);
    sock.write(Buffer.concat([head, query]));
  });
}
