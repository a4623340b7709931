// The HTTP and HTTPS listeners of the ingress data plane. HTTPS picks the certificate per SNI name
// through `contextFor` (the default certificate when it returns nothing). Both close, with their
// open connections, when the signal aborts.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { SecureContext } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { proxyHandler, upgradeHandler } from './proxy.js';
import { serverTlsOptions } from '../util/tls.js';
import type { ProxyOptions } from './proxy.js';

export interface ListenerOptions {
  bindAddress: string;
  httpPort: number;
  httpsPort: number;
  decide: ProxyOptions['decide'];
  defaultCert: { certPem: string; keyPem: string };
  contextFor(serverName: string): SecureContext | undefined;
  onError(msg: string): void;
}

export interface Listeners {
  httpPort: number;
  httpsPort: number;
  closed: Promise<void>;
}

export async function startListeners(o: ListenerOptions, signal: AbortSignal): Promise<Listeners> {
  const http = createHttpServer({ requestTimeout: 0 });
  const https = createHttpsServer({
    ...serverTlsOptions,
    requestTimeout: 0,
    cert: o.defaultCert.certPem,
    key: o.defaultCert.keyPem,
    SNICallback: (name, cb) => {
      try {
        cb(null, o.contextFor(name));
      } catch (e) {
        o.onError(`TLS for ${name}: ${(e as Error).message}`);
        cb(null, undefined);
      }
    },
  });
  // Every TCP connection, upgraded ones included (closeAllConnections does not see those).
  const sockets = new Set<Socket>();
  for (const [server, scheme] of [[http, 'http'], [https, 'https']] as const) {
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    const po: ProxyOptions = { decide: o.decide, scheme, onError: o.onError };
    server.on('request', proxyHandler(po));
    server.on('upgrade', upgradeHandler(po));
    server.on('clientError', (_e, socket) => socket.destroy());
    // Long-lived streams are bounded by the proxy's idle timeout, not the server's.
    server.keepAliveTimeout = 75_000;
  }
  const listen = (s: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, o.bindAddress, () => {
        s.off('error', reject);
        resolve((s.address() as AddressInfo).port);
      });
    });
  let httpPort: number;
  let httpsPort: number;
  try {
    httpPort = await listen(http, o.httpPort);
    httpsPort = await listen(https, o.httpsPort);
  } catch (e) {
    http.close();
    https.close();
    throw e;
  }
  const closed = new Promise<void>((resolve) => {
    const stop = () => {
      let n = 2;
      const one = () => --n === 0 && resolve();
      for (const s of [http, https]) {
        s.close(one);
      }
      for (const s of sockets) s.destroy();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  return { httpPort, httpsPort, closed };
}
