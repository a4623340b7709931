// /portForward on the kubelet: the client speaks portforward.k8s.io over SPDY/3.1 — directly after
// an `Upgrade: SPDY/3.1`, or tunnelled in WebSocket binary messages (subprotocol
// `SPDY/3.1+portforward.k8s.io`, kubectl 1.31+). Per forwarded connection the client opens a pair of
// streams (headers streamType=error|data, port, requestID). Every stream is relayed as-is to the
// runtime's CRI PortForward URL (SPDY), which connects to the port inside the pod's network
// namespace — so hostNetwork and pod-network pods behave the same, as upstream.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { badRequest } from '../../api/errors.js';
import type { Logger } from '../../util/log.js';
import type { StreamingBackend } from '../http/backend.js';
import { acceptSpdy, dialSpdy, isSpdyUpgrade, offeredProtocols } from './spdy-upgrade.js';
import { SpdySession } from './spdy-session.js';
import { relaySpdy } from './spdy-relay.js';
import { acceptWebSocket, isWebSocketUpgrade } from './remote-command.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

const tunnelServer = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => (offered.has(TUNNEL_PROTOCOL) ? TUNNEL_PROTOCOL : false) });

export interface PortForwardTarget {
  namespace: string;
  pod: string;
  query: URLSearchParams;
}

export function parsePorts(q: URLSearchParams): number[] {
  const ports: number[] = [];
  for (const raw of q.getAll('port')) {
    for (const s of raw.split(',').filter(Boolean)) {
      const n = Number(s);
      if (!/^\d+$/.test(s) || n < 1 || n > 65535) throw badRequest(`invalid port "${s}"`);
      ports.push(n);
    }
  }
  return ports;
}

export async function servePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, t: PortForwardTarget, backend: StreamingBackend, log: Logger, signal: AbortSignal): Promise<void> {
  const ports = parsePorts(t.query);
  const ws = isWebSocketUpgrade(req);
  if (ws) {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!offered.includes(TUNNEL_PROTOCOL)) throw badRequest(`unable to upgrade: port-forward over WebSocket needs subprotocol ${TUNNEL_PROTOCOL} (offered: ${offered.join(', ')})`);
  } else if (!isSpdyUpgrade(req)) throw badRequest('Upgrade request required');
  else if (!offeredProtocols(req).includes(PORT_FORWARD_PROTOCOL)) throw badRequest(`unable to upgrade: unable to negotiate protocol: client supports [${offeredProtocols(req).join(' ')}], server supports [${PORT_FORWARD_PROTOCOL}]`);
  const { sandboxId } = await backend.sandbox(t.namespace, t.pod);
  const url = await backend.portForward(sandboxId, ports);
  const { session: back } = await dialSpdy(url, [PORT_FORWARD_PROTOCOL], signal);
  let front: SpdySession;
  if (ws) {
    const client = await acceptWebSocket(req, socket, head, tunnelServer);
    front = new SpdySession(createWebSocketStream(client), 'server');
  } else front = acceptSpdy(socket, head, PORT_FORWARD_PROTOCOL);
  const stop = () => front.close();
  signal.addEventListener('abort', stop, { once: true });
  await relaySpdy(front, back, (e) => log.warn(`port-forward ${t.namespace}/${t.pod}: ${e.message}`));
  signal.removeEventListener('abort', stop);
}
