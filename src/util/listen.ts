// Starts a server listening and ties its life to an AbortSignal: resolves with the bound port
// (useful with port 0) and a promise that settles once the server has closed after the abort
// (open connections, watches and tunnels included, are cut).
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';

export async function listenUntilAborted(server: Server & { closeAllConnections?: () => void }, port: number, host: string, signal: AbortSignal): Promise<{ port: number; done: Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const done = new Promise<void>((resolve) => {
    const close = () => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    };
    if (signal.aborted) close();
    else signal.addEventListener('abort', close, { once: true });
  });
  return { port: bound, done };
}

/** A port that was free a moment ago on `host` (for programs that need a number, not 0). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
