// /exec and /attach on the kubelet. The runtime side is always SPDY (remotecommand
// v4.channel.k8s.io to the CRI streaming URL): SPDY lets us half-close stdin, which the runtime's
// WebSocket v4 cannot express. The client side is either
//  - WebSocket (kubectl 1.30+): channel byte + payload; v5.channel.k8s.io, v4.channel.k8s.io or
//    channel.k8s.io. Channel 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, 255 close (v5).
//  - SPDY (older clients): the client's streams are relayed to the runtime one to one.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { badRequest } from '../../api/errors.js';
import type { Logger } from '../../util/log.js';
import type { StreamingBackend, StreamOptions } from '../http/backend.js';
import { acceptSpdy, dialSpdy, isSpdyUpgrade, offeredProtocols } from './spdy-upgrade.js';
import { relaySpdy } from './spdy-relay.js';
import type { SpdySession, SpdyStream } from './spdy-session.js';

export const WS_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'];
const SPDY_PROTOCOL = 'v4.channel.k8s.io';

export interface RemoteCommandTarget {
  kind: 'exec' | 'attach';
  namespace: string;
  pod: string;
  container: string;
  query: URLSearchParams;
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === '1' || v === 'true' || v === 'True' || v === 'TRUE';
}

/** The kubelet's stream options (`input`, `output`, `error`, `tty`), as upstream's NewOptions. */
export function streamOptions(q: URLSearchParams): StreamOptions {
  const o = { stdin: flag(q, 'input'), stdout: flag(q, 'output'), stderr: flag(q, 'error'), tty: flag(q, 'tty') };
  if (!o.stdin && !o.stdout && !o.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  // A terminal merges stderr into stdout.
  if (o.tty) o.stderr = false;
  return o;
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => WS_PROTOCOLS.find((p) => offered.has(p)) ?? false });

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, server: WebSocketServer = wss): Promise<WebSocket> {
  return new Promise((resolve) => server.handleUpgrade(req, socket, head, resolve));
}

/** Opens the remotecommand streams on the runtime connection, error first as client-go does. */
async function runtimeStreams(back: SpdySession, o: StreamOptions) {
  const open = (t: string) => back.openStream({ streamtype: t });
  const error = await open('error');
  const stdin = o.stdin ? await open('stdin') : undefined;
  const stdout = o.stdout ? await open('stdout') : undefined;
  const stderr = o.stderr ? await open('stderr') : undefined;
  const resize = o.tty ? await open('resize') : undefined;
  // We never write the error stream.
  error.end();
  return { error, stdin, stdout, stderr, resize };
}

function ended(s: SpdyStream | undefined): Promise<void> {
  if (!s || s.readableEnded || s.destroyed) return Promise.resolve();
  return new Promise((r) => {
    s.once('end', r);
    s.once('close', r);
  });
}

/** Bridges a WebSocket channel client to the runtime's SPDY streams. */
async function bridgeWebSocket(ws: WebSocket, back: SpdySession, o: StreamOptions): Promise<void> {
  const protocol = ws.protocol;
  // The client may send stdin (and its close) before the runtime streams are open: hold it.
  const early: Buffer[] = [];
  const hold = (raw: Buffer) => early.push(Buffer.from(raw));
  ws.on('message', hold);
  const s = await runtimeStreams(back, o);
  ws.off('message', hold);
  const send = (ch: number, d: Buffer) => ws.readyState === ws.OPEN && ws.send(Buffer.concat([Buffer.from([ch]), d]));
  s.stdout?.on('data', (d: Buffer) => send(1, d));
  s.stderr?.on('data', (d: Buffer) => send(2, d));
  const status: Buffer[] = [];
  s.error.on('data', (d: Buffer) => status.push(d));
  const onMessage = (raw: Buffer) => {
    const data = Buffer.from(raw);
    if (!data.length) return;
    const ch = data[0]!;
    const payload = data.subarray(1);
    if (ch === 0) s.stdin?.write(payload);
    else if (ch === 4) s.resize?.write(payload);
    else if (ch === 255 && protocol === 'v5.channel.k8s.io' && payload[0] === 0) s.stdin?.end();
  };
  for (const m of early) onMessage(m);
  ws.on('message', onMessage);
  ws.on('close', () => back.close());
  await ended(s.error);
  // Output written just before the exit must reach the client before the status.
  await Promise.race([Promise.all([ended(s.stdout), ended(s.stderr)]), new Promise((r) => setTimeout(r, 2000).unref())]);
  const text = Buffer.concat(status).toString('utf8');
  if (protocol === 'channel.k8s.io') {
    // The oldest protocol carries only an error message, nothing on success.
    try {
      const st = JSON.parse(text) as { status?: string; message?: string };
      if (st.status === 'Failure') send(3, Buffer.from(st.message ?? text));
    } catch {
      if (text) send(3, Buffer.from(text));
    }
  } else send(3, Buffer.from(text || '{"metadata":{},"status":"Success"}'));
  ws.close(1000);
  back.close();
}

export async function serveRemoteCommand(req: IncomingMessage, socket: Duplex, head: Buffer, t: RemoteCommandTarget, backend: StreamingBackend, log: Logger, signal: AbortSignal): Promise<void> {
  const o = streamOptions(t.query);
  const command = t.query.getAll('command');
  if (t.kind === 'exec' && !command.length) throw badRequest('you must specify at least 1 command');
  const ws = isWebSocketUpgrade(req);
  if (!ws && !isSpdyUpgrade(req)) throw badRequest('Upgrade request required');
  const spdyProtocol = offeredProtocols(req).includes(SPDY_PROTOCOL) ? SPDY_PROTOCOL : undefined;
  if (!ws && !spdyProtocol) throw badRequest(`unable to upgrade: unable to negotiate protocol: client supports [${offeredProtocols(req).join(' ')}], server supports [${SPDY_PROTOCOL}]`);
  const c = await backend.container(t.namespace, t.pod, t.container);
  const url = t.kind === 'exec' ? await backend.exec(c.containerId, command, o) : await backend.attach(c.containerId, o);
  const { session: back } = await dialSpdy(url, [SPDY_PROTOCOL], signal);
  const stop = () => back.close();
  signal.addEventListener('abort', stop, { once: true });
  back.once('close', () => signal.removeEventListener('abort', stop));
  const onError = (e: Error) => log.warn(`${t.kind} ${t.namespace}/${t.pod}/${t.container}: ${e.message}`);
  if (ws) {
    const client = await acceptWebSocket(req, socket, head);
    client.on('error', onError);
    signal.addEventListener('abort', () => client.terminate(), { once: true });
    await bridgeWebSocket(client, back, o).catch((e: Error) => {
      onError(e);
      client.close(1011);
      back.close();
    });
    return;
  }
  await relaySpdy(acceptSpdy(socket, head, spdyProtocol), back, onError);
}
