// Runs the shared conformance suite against a real etcd (Debian's etcd-server, one fresh member per
// test so revisions start at 1), plus what only etcd has: TLS with client certificates, upstream's
// compaction through compact_rev_key, watches resuming across etcd restarts and member failures,
// and clear errors when etcd is unreachable or has lost its quorum.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordWatch, runBackendConformance, settle } from './backend.case.js';
import { CompactedError, KeyExistsError, StorageError } from './backend.js';
import { openEtcdBackend } from './etcd.js';
import type { EtcdBackendOptions } from './etcd.js';
import { EtcdClient } from './etcd-client.js';
import { COMPACT_REV_KEY, startEtcdCompactor } from './etcd-compactor.js';
import { silentLogger } from '../util/log.js';
import { ensurePki, signServingCert } from '../server/pki.js';
import { freePort, startEtcd, writePemFiles } from '../../test/support/etcd.js';
import type { EtcdCluster } from '../../test/support/etcd.js';
import { until } from '../../test/support/poll.js';

/** A fresh single-member etcd (revisions start at 1); the next one starts while a test runs. */
let spare: Promise<EtcdCluster> | undefined;
function freshEtcd(): Promise<EtcdCluster> {
  const mine = spare ?? startEtcd();
  spare = startEtcd();
  spare.catch(() => {}); // a failure is reported to the test that takes it
  return mine;
}
after(async () => {
  const last = await spare?.catch(() => undefined);
  spare = undefined;
  await last?.cleanup();
});

runBackendConformance('etcd', async () => {
  const etcd = await freshEtcd();
  const backend = await openEtcdBackend({ endpoints: [etcd.endpoint], compactIntervalMs: 0, log: silentLogger });
  return {
    backend,
    cleanup: async () => {
      await backend.close();
      await etcd.cleanup();
    },
  };
});

/** Runs `body` with a fresh etcd (of `members`) and a backend on it; always cleans up. */
async function withEtcd(opts: { members?: number; backend?: Partial<EtcdBackendOptions> }, body: (etcd: EtcdCluster, b: Awaited<ReturnType<typeof openEtcdBackend>>) => Promise<void>): Promise<void> {
  const etcd = await (opts.members ? startEtcd({ members: opts.members }) : freshEtcd());
  try {
    const b = await openEtcdBackend({ endpoints: [etcd.endpoint], compactIntervalMs: 0, log: silentLogger, ...opts.backend });
    try {
      await body(etcd, b);
    } finally {
      await b.close();
    }
  } finally {
    await etcd.cleanup();
  }
}

test('etcd: TLS with client certificates; keys are stored as the apiserver names them', async () => {
  // Node warns once per process (DEP0123) if an IP is sent as TLS server name: listen from the start.
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? w.message);
  process.on('warning', onWarning);
  const dir = mkdtempSync(join(tmpdir(), 'kts-etcd-pki-'));
  const pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  const files = writePemFiles({ 'server.crt': pki.serverCertPem, 'server.key': pki.serverKeyPem, 'client-ca.crt': pki.clientCaCertPem });
  const etcd = await startEtcd({ tls: { certFile: files.paths['server.crt']!, keyFile: files.paths['server.key']!, clientCaFile: files.paths['client-ca.crt']! } });
  try {
    assert.match(etcd.endpoint, /^https:/);
    const tls = { caPem: pki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem };
    const b = await openEtcdBackend({ endpoints: [etcd.endpoint], tls, compactIntervalMs: 0, log: silentLogger });
    try {
      assert.equal(b.info.endpoint, etcd.endpoint);
      assert.match(b.info.version, /^3\./);
      const rec = recordWatch(b, '/registry/', await b.currentRevision());
      const kv = await b.create('/registry/configmaps/default/x', '{"a":1}');
      assert.equal((await rec.until(1))[0]!.kv.value, '{"a":1}');
      await rec.stop();
      // What another etcd client (etcdctl, a kube-apiserver) sees: the same key and bytes.
      const raw = new EtcdClient({ endpoints: [etcd.endpoint], tls });
      const r = await raw.range({ key: Buffer.from('/registry/configmaps/default/x') });
      raw.close();
      assert.equal(r.kvs[0]?.value.toString(), '{"a":1}');
      assert.equal(r.kvs[0]?.modRevision, kv.modRevision);
    } finally {
      await b.close();
    }
    // Without a client certificate, or trusting another CA, etcd is refused with a clear error.
    await assert.rejects(openEtcdBackend({ endpoints: [etcd.endpoint], tls: { caPem: pki.caCertPem }, callTimeoutMs: 300, log: silentLogger }), (e: unknown) => e instanceof StorageError && e.message.startsWith(`cannot use etcd at ${etcd.endpoint}:`));
    await assert.rejects(openEtcdBackend({ endpoints: [etcd.endpoint], tls: { ...tls, caPem: pki.clientCaCertPem }, callTimeoutMs: 300, log: silentLogger }), StorageError);
    await assert.rejects(openEtcdBackend({ endpoints: [etcd.endpoint.replace('https', 'http')], callTimeoutMs: 300, log: silentLogger }), StorageError);
  } finally {
    await etcd.cleanup();
  }
  // An IP endpoint: no IP is sent as TLS server name (Node's DEP0123 warning), yet the certificate
  // must still name the IP dialled: one issued for other addresses is refused.
  const elsewhere = signServingCert({ certPem: pki.caCertPem, keyPem: pki.caKeyPem }, 'etcd', { dns: ['etcd.example'], ips: ['192.0.2.200'] }, 1);
  const files2 = writePemFiles({ 'server.crt': elsewhere.certPem, 'server.key': elsewhere.keyPem, 'client-ca.crt': pki.clientCaCertPem });
  const other = await startEtcd({ tls: { certFile: files2.paths['server.crt']!, keyFile: files2.paths['server.key']!, clientCaFile: files2.paths['client-ca.crt']! } });
  try {
    const tls = { caPem: pki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem };
    await assert.rejects(openEtcdBackend({ endpoints: [other.endpoint], tls, callTimeoutMs: 500, log: silentLogger }), StorageError);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings.filter((w) => w === 'DEP0123'), []);
  } finally {
    process.off('warning', onWarning);
    await other.cleanup();
    rmSync(files2.dir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    rmSync(files.dir, { recursive: true, force: true });
  }
});

test('etcd: background compaction as upstream: compact_rev_key records it, every server sees it', async () => {
  await withEtcd({ backend: { compactIntervalMs: 100 } }, async (etcd, b) => {
    const other = await openEtcdBackend({ endpoints: [etcd.endpoint], compactIntervalMs: 0, log: silentLogger });
    try {
      let kv = await b.create('/registry/leases/x', '0');
      const first = kv.modRevision;
      for (let i = 1; i < 20; i++) kv = await b.update('/registry/leases/x', String(i), kv.modRevision);
      // The first tick records where history starts; a later one compacts to the revision the
      // previous one saw (one interval of history is kept).
      const floor = await until(async () => {
        const c = await b.compactRevision();
        return c > first ? c : 0;
      }, 10_000, 'a compaction past the first write');
      assert.ok((await other.compactRevision()) >= floor, 'another server reads it from compact_rev_key');
      assert.equal(Number((await other.get(COMPACT_REV_KEY)).kv?.value) >= floor, true);
      await assert.rejects(other.get('/registry/leases/x', first), (e: unknown) => e instanceof CompactedError && e.requested === first && e.compacted >= floor);
      await assert.rejects(other.watch('/registry/', first, () => {}, new AbortController().signal), CompactedError);
      assert.equal((await other.get('/registry/leases/x')).kv?.value, '19');
      assert.equal((await other.list('/registry/')).kvs.length, 1, 'compact_rev_key lives outside /registry/');
    } finally {
      await other.close();
    }
  });
});

test('etcd: of two compactors sharing an etcd only the one whose transaction wins compacts', async () => {
  const etcd = await startEtcd();
  const client = new EtcdClient({ endpoints: [etcd.endpoint] });
  try {
    const done: Record<'a' | 'b', number[]> = { a: [], b: [] };
    const make = (who: 'a' | 'b') => startEtcdCompactor(client, { intervalMs: 0, compact: async (rev) => void done[who].push(rev), onError: (e) => assert.fail(String(e)) });
    const a = make('a');
    const b = make('b');
    const rev = async () => (await client.range({ key: Buffer.from('x'), countOnly: true })).header.revision;
    await a.runOnce(); // records "0" (version 1); nothing to compact yet
    const r1 = await rev();
    await b.runOnce(); // version moved: adopts it, compacts nothing
    await a.runOnce(); // compacts to what it saw at its first tick
    const r2 = await rev();
    await b.runOnce(); // a won this interval: b waits
    assert.deepEqual(done, { a: [r1], b: [] });
    await b.runOnce(); // a quiet interval: b takes over from where it last looked
    assert.deepEqual(done, { a: [r1], b: [r2] });
    const kv = (await client.range({ key: Buffer.from(COMPACT_REV_KEY) })).kvs[0]!;
    assert.deepEqual([kv.value.toString(), kv.version], [String(r2), 3]);
    await Promise.all([a.stop(), b.stop()]);
  } finally {
    client.close();
    await etcd.cleanup();
  }
});

test('etcd: a watch resumes after etcd restarts; a write sent while it is down completes when it is back', async () => {
  await withEtcd({}, async (etcd, b) => {
    const rec = recordWatch(b, '/w/', await b.currentRevision());
    await b.create('/w/a', '1');
    await rec.until(1);
    await etcd.members[0]!.stop('SIGKILL');
    // Once the client has seen the connection close (a write in flight at that moment fails: it
    // might have been applied), a write cannot reach etcd and is retried until the deadline.
    await new Promise((r) => setTimeout(r, 100));
    const pending = b.create('/w/b', '2');
    await new Promise((r) => setTimeout(r, 300));
    await etcd.members[0]!.start();
    const written = await pending;
    await b.create('/w/c', '3');
    const events = await rec.until(3, 10_000);
    assert.deepEqual(events.map((e) => [e.kv.key, e.kv.modRevision]), [['/w/a', written.modRevision - 1], ['/w/b', written.modRevision], ['/w/c', written.modRevision + 1]]);
    await settle();
    assert.equal(rec.events.length, 3, 'no duplicates after resuming');
    await rec.stop();
  });
});

test('etcd: an unreachable etcd is a clear StorageError within the deadline', async () => {
  const endpoint = `http://127.0.0.1:${await freePort()}`;
  const t0 = Date.now();
  await assert.rejects(openEtcdBackend({ endpoints: [endpoint], callTimeoutMs: 500, log: silentLogger }), (e: unknown) => e instanceof StorageError && e.message.includes(`cannot use etcd at ${endpoint}: etcd at ${endpoint} is unavailable`));
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  await withEtcd({ backend: { callTimeoutMs: 500 } }, async (etcd, b) => {
    await etcd.members[0]!.stop('SIGKILL');
    const t1 = Date.now();
    await assert.rejects(b.get('/a'), (e: unknown) => e instanceof StorageError && /is unavailable/.test(e.message));
    await assert.rejects(b.create('/a', '1'), StorageError);
    assert.ok(Date.now() - t1 < 3000, `took ${Date.now() - t1} ms`);
  });
});

test('etcd: calls fail over between members; without quorum they fail with "no leader"; watches resume', async () => {
  const etcd = await startEtcd({ members: 3 });
  const b = await openEtcdBackend({ endpoints: etcd.endpoints, compactIntervalMs: 0, callTimeoutMs: 1000, log: silentLogger });
  /** A create that may be retried: one that timed out may still have been applied. */
  const put = async (key: string) => {
    try {
      return await b.create(key, 'v');
    } catch (e) {
      if (e instanceof KeyExistsError) return (await b.get(key)).kv!;
      throw e;
    }
  };
  try {
    const rec = recordWatch(b, '/q/', await b.currentRevision());
    await b.create('/q/a', '1');
    await rec.until(1);
    // The member that calls and the watch go to; if it led, writes stall until a new leader is elected.
    await etcd.members[0]!.stop('SIGKILL');
    await until(() => b.get('/q/a'), 15_000, 'a read through another member');
    await until(() => put('/q/b'), 15_000, 'a write through another member');
    await rec.until(2, 10_000);
    await etcd.members[1]!.stop('SIGKILL'); // one of three left: no quorum, no leader
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await assert.rejects(b.create('/q/c', '3'), (e: unknown) => e instanceof StorageError && /no leader|did not answer/.test(e.message));
    await assert.rejects(b.list('/q/'), StorageError);
    assert.ok(Date.now() - t0 < 6000, `took ${Date.now() - t0} ms`);
    await etcd.members[1]!.start();
    await until(() => put('/q/d'), 15_000, 'a write once the quorum is back');
    const events = await rec.until(3, 10_000);
    assert.deepEqual(events.map((e) => e.kv.key), ['/q/a', '/q/b', '/q/d']);
    await settle();
    assert.equal(rec.events.length, 3, 'no duplicates after resuming');
    await rec.stop();
  } finally {
    await b.close();
    await etcd.cleanup();
  }
});
