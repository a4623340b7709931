// Proxying to a kubelet over TLS with the API server's kubelet client certificate: a streamed GET
// for logs (flushed as data arrives), and a transparent HTTP/1.1 Upgrade tunnel for exec, attach
// and port-forward, so WebSocket and SPDY both pass through untouched.
import { request } from 'node:https';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError } from '../../api/errors.js';
import type { KubeletEndpoint } from './location.js';

export interface KubeletClientConfig {
  certPem: string;
  keyPem: string;
  /** Verify the kubelet's serving certificate against this CA; unset = not verified (upstream's default). */
  caPem?: string;
  /** Used when the Node does not report status.daemonEndpoints.kubeletEndpoint.Port. */
  defaultPort: number;
}

function tlsOptions(cfg: KubeletClientConfig, skipVerify: boolean) {
  const verify = !!cfg.caPem && !skipVerify;
  return { cert: cfg.certPem, key: cfg.keyPem, ca: cfg.caPem, rejectUnauthorized: verify, ...(verify ? {} : { checkServerIdentity: () => undefined }) };
}

/** Turns a kubelet's error reply into a Status (its own Status if it sent one, else its text). */
export function kubeletError(code: number, body: string): StatusError {
  try {
    const s = JSON.parse(body) as { kind?: string; message?: string; reason?: string; code?: number; details?: object };
    if (s.kind === 'Status' && s.message) return new StatusError(s.code ?? code, s.reason ?? 'InternalError', s.message, s.details);
  } catch {
    // plain text, as upstream's kubelet writes most errors
  }
  const msg = body.trim() || `the kubelet answered ${code}`;
  if (code === 400) return new StatusError(400, 'BadRequest', msg);
  if (code === 404) return new StatusError(404, 'NotFound', msg);
  if (code === 401 || code === 403) return new StatusError(code, code === 401 ? 'Unauthorized' : 'Forbidden', msg);
  return new StatusError(code >= 400 ? code : 500, 'InternalError', msg);
}

/** GETs `path` from the kubelet and streams the body to `res`; ends when the kubelet ends or the client goes away. */
export function proxyLog(cfg: KubeletClientConfig, ep: KubeletEndpoint, path: string, skipVerify: boolean, res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const up = request({ host: ep.host, port: ep.port, path, method: 'GET', agent: false, headers: { Accept: '*/*' }, ...tlsOptions(cfg, skipVerify) }, (kres) => {
      const code = kres.statusCode ?? 500;
      if (code !== 200) {
        let body = '';
        kres.setEncoding('utf8');
        kres.on('data', (d: string) => (body += d.length < 65536 ? d : d.slice(0, 65536)));
        kres.on('end', () => reject(kubeletError(code, body)));
        kres.on('error', reject);
        return;
      }
      res.writeHead(200, { 'Content-Type': kres.headers['content-type'] ?? 'text/plain', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      kres.on('data', (d: Buffer) => res.write(d));
      kres.on('end', () => {
        res.end();
        resolve();
      });
      kres.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    up.on('error', (e) => {
      if (res.headersSent) {
        res.destroy();
        resolve();
      } else reject(new StatusError(500, 'InternalError', `Get "https://${ep.host}:${ep.port}${path.split('?')[0]}": ${e.message}`));
    });
    // The client leaving ends the kubelet request too (follow streams never end on their own).
    // (req's 'close' fires once a GET is read, not when the client leaves: watch res.)
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
      resolve();
    });
    up.end();
  });
}

const HOP_BY_HOP = new Set(['host', 'authorization', 'content-length', 'transfer-encoding', 'proxy-authorization', 'impersonate-user', 'impersonate-group']);

/**
 * Forwards an Upgrade request to the kubelet and splices the two connections together: the
 * kubelet's 101 (or error) reply and everything after flow back byte for byte.
 */
export function proxyUpgrade(cfg: KubeletClientConfig, ep: KubeletEndpoint, path: string, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let connected = false;
    const kube: TLSSocket = connect({ host: ep.host, port: ep.port, servername: isIpLike(ep.host) ? undefined : ep.host, ...tlsOptions(cfg, false) }, () => {
      connected = true;
      const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        if (!HOP_BY_HOP.has(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
      }
      kube.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) kube.write(head);
      kube.pipe(client);
      client.pipe(kube);
      resolve();
    });
    const closeBoth = () => {
      kube.destroy();
      client.destroy();
    };
    kube.on('error', (e) => {
      if (!connected) reject(new StatusError(500, 'InternalError', `error dialing backend: ${e.message}`));
      closeBoth();
    });
    // The kubelet hanging up ends the client side once its bytes are flushed (pipe ends it too).
    kube.on('close', () => client.end());
    client.on('error', closeBoth);
    client.on('close', closeBoth);
  });
}

function isIpLike(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
