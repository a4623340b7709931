// The server end to end with a real resolver (Node's c-ares): UDP, TCP after truncation,
// forwarding to an upstream, SERVFAIL when the upstream is silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { Resolver } from 'node:dns/promises';
import { ClusterRecords } from './cluster-records.js';
import { ClusterLookup } from './lookup.js';
import { Forwarder } from './forward.js';
import { QueryHandler } from './handler.js';
import { startDnsServer } from './server.js';
import { CLASS_IN, RCODE, TYPE, encodeMessage, parseMessage } from './wire.js';
import type { Message } from './wire.js';

/**
 * An "upstream" answering every A query with 192.0.2.1 (or never, when silent); `big.example`
 * gets 100 addresses, which over UDP come back truncated and over TCP (same port) whole.
 */
async function fakeUpstream(silent: boolean) {
  const sock = createSocket('udp4');
  let queries = 0;
  let tcpQueries = 0;
  const answer = (b: Buffer, max: number) => {
    const q = parseMessage(b);
    const name = q.questions[0]!.name;
    const n = name === 'big.example' ? 100 : 1;
    const answers = Array.from({ length: n }, (_, i) => ({ name, class: CLASS_IN, ttl: 60, data: { type: TYPE.A, address: `192.0.2.${i + 1}` } }));
    return encodeMessage({ ...q, qr: true, ra: true, answers }, max);
  };
  sock.on('message', (b, r) => {
    queries++;
    if (!silent) sock.send(answer(b, 512), r.port, r.address);
  });
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
  const tcp = createServer((c) => {
    c.once('data', (d: Buffer) => {
      tcpQueries++;
      const out = answer(d.subarray(2, 2 + d.readUInt16BE(0)), 65535);
      const head = Buffer.alloc(2);
      head.writeUInt16BE(out.length);
      c.end(Buffer.concat([head, out]));
    });
  });
  await new Promise<void>((res) => tcp.listen(sock.address().port, '127.0.0.1', res));
  return { port: sock.address().port, close: () => (sock.close(), tcp.close()), queries: () => queries, tcpQueries: () => tcpQueries };
}

async function setup(upstreamPort: number, timeoutMs = 2000) {
  const records = new ClusterRecords();
  records.setService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.43.0.20' } });
  records.setService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'big', namespace: 'default' }, spec: { clusterIP: 'None' } });
  const endpoints = Array.from({ length: 100 }, (_, i) => ({ addresses: [`10.42.${Math.floor(i / 250)}.${(i % 250) + 1}`] }));
  records.setSlice({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'big-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'big' } }, endpoints });
  const handler = new QueryHandler(new ClusterLookup(records, 'cluster.local'), new Forwarder([{ host: '127.0.0.1', port: upstreamPort }], timeoutMs));
  const ac = new AbortController();
  const srv = await startDnsServer('127.0.0.1', 0, handler, ac.signal);
  const resolver = new Resolver({ timeout: 3000, tries: 1 });
  resolver.setServers([`127.0.0.1:${srv.port}`]);
  return { srv, resolver, stop: async () => (ac.abort(), await srv.done) };
}

test('a real resolver gets cluster answers, NXDOMAIN, NODATA and forwarded names', async () => {
  const up = await fakeUpstream(false);
  const { resolver, stop } = await setup(up.port);
  try {
    assert.deepEqual(await resolver.resolve4('web.default.svc.cluster.local'), ['10.43.0.20']);
    await assert.rejects(resolver.resolve4('nope.default.svc.cluster.local'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve6('web.default.svc.cluster.local'), { code: 'ENODATA' });
    assert.deepEqual(await resolver.resolve4('example.com'), ['192.0.2.1']);
    assert.equal(up.queries(), 1);
    assert.deepEqual(await resolver.reverse('10.43.0.20'), ['web.default.svc.cluster.local']);
    assert.equal(up.queries(), 1);
  } finally {
    await stop();
    up.close();
  }
});

test('a reply too big for UDP is truncated and the resolver gets it all over TCP', async () => {
  const up = await fakeUpstream(false);
  const { resolver, stop } = await setup(up.port);
  try {
    const ips = await resolver.resolve4('big.default.svc.cluster.local');
    assert.equal(ips.length, 100);
  } finally {
    await stop();
    up.close();
  }
});

test('forwarding: a truncated upstream reply reaches the client, whose TCP retry is forwarded over TCP', async () => {
  const up = await fakeUpstream(false);
  const { resolver, stop } = await setup(up.port);
  try {
    const ips = await resolver.resolve4('big.example');
    assert.equal(ips.length, 100);
    assert.equal(up.tcpQueries(), 1);
  } finally {
    await stop();
    up.close();
  }
});

test('TCP: several length-prefixed queries on one connection', async () => {
  const up = await fakeUpstream(false);
  const { srv, stop } = await setup(up.port);
  try {
    const sock = connect(srv.port, '127.0.0.1');
    const replies: Message[] = [];
    let buf = Buffer.alloc(0);
    const got = new Promise<void>((resolve) =>
      sock.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          replies.push(parseMessage(buf.subarray(2, 2 + buf.readUInt16BE(0))));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
          if (replies.length === 2) resolve();
        }
      }),
    );
    const frames = [1, 2].map((id) => {
      const q = encodeMessage({ id, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0, questions: [{ name: id === 1 ? 'web.default.svc.cluster.local' : 'nope.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }], answers: [], authority: [], additional: [] });
      const head = Buffer.alloc(2);
      head.writeUInt16BE(q.length);
      return Buffer.concat([head, q]);
    });
    // Both in one write, split mid-frame: the server must reassemble.
    const all = Buffer.concat(frames);
    sock.write(all.subarray(0, 7));
    sock.write(all.subarray(7));
    await got;
    sock.destroy();
    const byId = new Map(replies.map((r) => [r.id, r]));
    assert.equal(byId.get(1)!.rcode, RCODE.NOERROR);
    assert.equal(byId.get(1)!.aa, true);
    assert.deepEqual(byId.get(1)!.answers.map((a) => a.data), [{ type: TYPE.A, address: '10.43.0.20' }]);
    assert.equal(byId.get(2)!.rcode, RCODE.NXDOMAIN);
    assert.equal(byId.get(2)!.authority[0]!.data.type, TYPE.SOA);
  } finally {
    await stop();
    up.close();
  }
});

test('a silent upstream yields SERVFAIL within the forwarding timeout', async () => {
  const up = await fakeUpstream(true);
  const { resolver, stop } = await setup(up.port, 500);
  try {
    const t0 = Date.now();
    await assert.rejects(resolver.resolve4('example.com'), { code: 'ESERVFAIL' });
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
  } finally {
    await stop();
    up.close();
  }
});

test('garbage gets FORMERR or nothing; the server keeps serving', async () => {
  const up = await fakeUpstream(false);
  const { srv, resolver, stop } = await setup(up.port);
  const sock = createSocket('udp4');
  try {
    const reply = new Promise<Buffer>((resolve) => sock.once('message', resolve));
    // A header claiming a question that is not there.
    sock.send(Buffer.from('abcd01000001000000000000', 'hex'), srv.port, '127.0.0.1');
    const r = await reply;
    assert.equal(r.readUInt16BE(0), 0xabcd);
    assert.equal(r.readUInt16BE(2) & 0xf, RCODE.FORMERR);
    sock.send(Buffer.from([1, 2, 3]), srv.port, '127.0.0.1');
    assert.deepEqual(await resolver.resolve4('web.default.svc.cluster.local'), ['10.43.0.20']);
  } finally {
    sock.close();
    await stop();
    up.close();
  }
});
