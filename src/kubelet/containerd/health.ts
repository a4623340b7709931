// "Does this socket answer?": the standard gRPC health service (grpc.health.v1.Health/Check),
// which containerd serves once its plugins (CRI included) are loaded. The request is the empty
// message and the response has one varint field, so no proto definitions are needed.
import * as grpc from '@grpc/grpc-js';
import { CriClient } from '../cri/client.js';

const SERVING = 1;

/** Resolves true when the runtime at `socket` reports SERVING (or has no health service) within `timeoutMs`. */
export function checkHealth(socket: string, timeoutMs = 2000): Promise<boolean> {
  const target = socket.startsWith('unix:') ? socket : `unix://${socket}`;
  // A private subchannel pool: the shared one would carry connect backoff over from failed probes.
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  return new Promise<boolean>((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      () => Buffer.alloc(0),
      (b: Buffer) => b,
      {},
      { deadline: Date.now() + timeoutMs },
      (err, res) => {
        client.close();
        // A runtime without the health service still answered (other CRI runtimes).
        if (err) return resolve(err.code === grpc.status.UNIMPLEMENTED);
        // HealthCheckResponse { status = 1 }: tag 0x08, varint.
        resolve(!!res && res.length >= 2 && res[0] === 0x08 && res[1] === SERVING);
      },
    );
  });
}

/**
 * containerd serves its health check before its CRI plugin has initialized; until then every CRI
 * call fails with "server is not initialized yet". Resolves true once a CRI call gets past that
 * (any other answer counts: the kubelet reports real errors), false when `timeoutMs` runs out or
 * `stop()` names a reason to give up.
 */
export async function waitCriInitialized(socket: string, timeoutMs: number, signal?: AbortSignal, stop?: () => string | undefined): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const cri = new CriClient(socket, 2000);
  try {
    for (;;) {
      try {
        await cri.status();
        return true;
      } catch (e) {
        if (!/not initialized yet/.test((e as Error).message)) return true;
      }
      if (signal?.aborted || stop?.() || Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    cri.close();
  }
}
