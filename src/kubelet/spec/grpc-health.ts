// grpc probes: one grpc.health.v1.Health/Check call, as upstream's grpc prober (plaintext, the
// connection must come up within the timeout, SERVING = success). The two tiny messages are
// encoded by hand (HealthCheckRequest{service=1}, HealthCheckResponse{status=1}).
import * as grpc from '@grpc/grpc-js';
import { joinHostPort } from './http-get.js';

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

export function encodeHealthRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const body = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), varint(body.length), body]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** The status field of a HealthCheckResponse (0 when absent). */
export function decodeHealthResponse(buf: Buffer): number {
  let i = 0;
  let status = 0;
  while (i < buf.length) {
    const tag = buf[i++]!;
    const wire = tag & 7;
    let v = 0;
    let shift = 0;
    if (wire === 0) {
      let b: number;
      do {
        b = buf[i++]!;
        v |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80 && i < buf.length);
      if (tag >> 3 === 1) status = v;
    } else if (wire === 2) {
      let len = 0;
      let b: number;
      do {
        b = buf[i++]!;
        len |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80 && i < buf.length);
      i += len;
    } else {
      break;
    }
  }
  return status;
}

export function grpcHealthCheck(host: string, port: number, service: string, timeoutMs: number): Promise<{ result: 'success' | 'failure'; output: string }> {
  const addr = joinHostPort(host, port);
  const within = `${timeoutMs / 1000}s`;
  const client = new grpc.Client(addr, grpc.credentials.createInsecure());
  const deadline = Date.now() + timeoutMs;
  return new Promise<{ result: 'success' | 'failure'; output: string }>((resolve) => {
    client.waitForReady(deadline, (err) => {
      if (err) {
        resolve({ result: 'failure', output: `timeout: failed to connect service ${JSON.stringify(addr)} within ${within}: context deadline exceeded` });
        return;
      }
      client.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, encodeHealthRequest(service), { deadline }, (callErr, res) => {
        if (callErr) {
          if (callErr.code === grpc.status.UNIMPLEMENTED) resolve({ result: 'failure', output: `this server does not implement the grpc health protocol (grpc.health.v1.Health): ${callErr.details}` });
          else if (callErr.code === grpc.status.DEADLINE_EXCEEDED) resolve({ result: 'failure', output: `timeout: health rpc did not complete within ${within}` });
          else resolve({ result: 'failure', output: `error: health rpc probe failed: rpc error: code = ${grpc.status[callErr.code]} desc = ${callErr.details}` });
          return;
        }
        const status = decodeHealthResponse(res ?? Buffer.alloc(0));
        if (status !== 1) resolve({ result: 'failure', output: `service unhealthy (responded with ${JSON.stringify(STATUS_NAMES[status] ?? String(status))})` });
        else resolve({ result: 'success', output: '' });
      });
    });
  }).finally(() => client.close());
}
