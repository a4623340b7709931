// The kubelet's HTTPS server (port 10250 upstream): client certificates checked against the
// cluster's client CA, then /healthz, /pods, /containerLogs, and the streaming endpoints /exec,
// /attach (WebSocket channel protocols or SPDY) and /portForward (SPDY, or SPDY tunnelled in a
// WebSocket), bridged to the container runtime's streaming server.
import { listenUntilAborted } from '../../util/listen.js';
import { createServer } from 'node:https';
import { serverTlsOptions } from '../../util/tls.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { StatusError, badRequest, methodNotAllowed, unauthorized } from '../../api/errors.js';
import type { Logger } from '../../util/log.js';
import type { StreamingBackend } from './backend.js';
import { serveContainerLogs } from './logs-endpoint.js';
import { serveRemoteCommand } from '../streaming/remote-command.js';
import { servePortForward } from '../streaming/port-forward.js';

export interface KubeletServerConfig {
  bindAddress: string;
  /** 0 = a random free port (tests). */
  port: number;
  tls: { certPem: string; keyPem: string; clientCaPem: string };
}

export interface KubeletServer {
  port: number;
  /** Serves new connections with another certificate (a rotated or newly issued serving certificate). */
  setCertificate(certPem: string, keyPem: string): void;
  done: Promise<void>;
}

function writeStatus(res: ServerResponse, err: unknown, log: Logger): void {
  const se = err instanceof StatusError ? err : new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`);
  if (!(err instanceof StatusError)) log.error(`kubelet server: ${(err as Error)?.stack ?? err}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(se.toStatus());
  res.writeHead(se.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function writeUpgradeStatus(socket: Duplex, err: unknown, log: Logger): void {
  const se = err instanceof StatusError ? err : new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`);
  if (!(err instanceof StatusError)) log.error(`kubelet server: ${(err as Error)?.stack ?? err}`);
  const body = JSON.stringify(se.toStatus());
  socket.end(`HTTP/1.1 ${se.code} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Only clients with a certificate from the cluster's client CA (the API server) get in. */
function checkClient(req: IncomingMessage): void {
  if (!(req.socket as TLSSocket).authorized) throw unauthorized();
}

function pathParts(path: string): string[] {
  return path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
}

export async function startKubeletServer(cfg: KubeletServerConfig, backend: StreamingBackend, log: Logger, signal: AbortSignal): Promise<KubeletServer> {
  const server = createServer({ ...serverTlsOptions, cert: cfg.tls.certPem, key: cfg.tls.keyPem, ca: cfg.tls.clientCaPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      if (url.pathname === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      }
      checkClient(req);
      const parts = pathParts(url.pathname);
      if (parts[0] === 'pods' && parts.length === 1) {
        const body = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: await backend.pods() });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      if (parts[0] === 'containerLogs' && parts.length === 4) {
        if (req.method !== 'GET') throw methodNotAllowed('the server does not allow this method on the requested resource');
        return serveContainerLogs(req, res, parts[1]!, parts[2]!, parts[3]!, url.searchParams, backend, signal);
      }
      if (['exec', 'attach', 'portForward'].includes(parts[0]!)) throw badRequest('Upgrade request required');
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    })().catch((err) => writeStatus(res, err, log));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      checkClient(req);
      const url = new URL(req.url ?? '/', 'https://kubelet');
      const parts = pathParts(url.pathname);
      if ((parts[0] === 'exec' || parts[0] === 'attach') && parts.length === 4) {
        return serveRemoteCommand(req, socket, head, { kind: parts[0], namespace: parts[1]!, pod: parts[2]!, container: parts[3]!, query: url.searchParams }, backend, log, signal);
      }
      if (parts[0] === 'portForward' && parts.length === 3) {
        return servePortForward(req, socket, head, { namespace: parts[1]!, pod: parts[2]!, query: url.searchParams }, backend, log, signal);
      }
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    })().catch((err) => writeUpgradeStatus(socket, err, log));
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  const { port, done } = await listenUntilAborted(server, cfg.port, cfg.bindAddress, signal);
  // The same TLS settings as at start (versions, ciphers); only the certificate changes.
  const setCertificate = (certPem: string, keyPem: string) => server.setSecureContext({ ...serverTlsOptions, cert: certPem, key: keyPem, ca: cfg.tls.clientCaPem });
  return { port, setCertificate, done };
}
