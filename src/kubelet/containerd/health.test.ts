import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { checkHealth, waitCriInitialized } from './health.js';

const raw = (path: string) => ({ path, requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b });

/** A runtime like a containerd just started: healthy at once, CRI refused for the first `refusals` calls. */
async function fakeRuntime(socket: string, refusals: number, otherError?: grpc.ServiceError) {
  const gs = new grpc.Server();
  let statusCalls = 0;
  gs.addService({ Check: raw('/grpc.health.v1.Health/Check') }, {
    Check: (_c: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from([0x08, 0x01])),
  });
  gs.addService({ Status: raw('/runtime.v1.RuntimeService/Status') }, {
    Status: (_c: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      statusCalls++;
      if (statusCalls <= refusals) return cb({ code: grpc.status.UNKNOWN, details: 'server is not initialized yet' } as grpc.ServiceError);
      if (otherError) return cb(otherError);
      cb(null, Buffer.alloc(0));
    },
  });
  await new Promise<void>((r, j) => gs.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? j(e) : r())));
  return { calls: () => statusCalls, close: () => gs.forceShutdown() };
}

test('waitCriInitialized waits past "server is not initialized yet", which the health check does not show', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-health-'));
  const rt = await fakeRuntime(join(dir, 'a.sock'), 3);
  try {
    assert.equal(await checkHealth(join(dir, 'a.sock')), true);
    assert.equal(await waitCriInitialized(join(dir, 'a.sock'), 5000), true);
    assert.equal(rt.calls(), 4);
  } finally {
    rt.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('waitCriInitialized gives up at its deadline or when told to stop; other errors count as an answer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-health-'));
  const never = await fakeRuntime(join(dir, 'b.sock'), Infinity);
  const other = await fakeRuntime(join(dir, 'c.sock'), 0, { code: grpc.status.UNIMPLEMENTED, details: 'unknown service runtime.v1.RuntimeService' } as grpc.ServiceError);
  try {
    const t0 = Date.now();
    assert.equal(await waitCriInitialized(join(dir, 'b.sock'), 400), false);
    assert.ok(Date.now() - t0 >= 400);
    assert.equal(await waitCriInitialized(join(dir, 'b.sock'), 60_000, undefined, () => 'containerd exited'), false);
    const ac = new AbortController();
    ac.abort();
    assert.equal(await waitCriInitialized(join(dir, 'b.sock'), 60_000, ac.signal), false);
    assert.equal(await waitCriInitialized(join(dir, 'c.sock'), 5000), true);
  } finally {
    never.close();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
