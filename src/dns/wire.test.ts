import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsFormatError, RCODE, TYPE, CLASS_IN, encodeMessage, parseMessage } from './wire.js';
import type { Message } from './wire.js';

function query(name: string, type: number, edns = false): Message {
  return { id: 0x1234, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0, questions: [{ name, type, class: CLASS_IN }], answers: [], authority: [], additional: [], edns: edns ? { udpSize: 4096 } : undefined };
}

test('a query encodes to the RFC 1035 bytes and parses back', () => {
  const b = encodeMessage(query('web.default.svc.cluster.local', TYPE.A));
  // Header: id, flags (RD), 1 question, no records.
  assert.equal(b.subarray(0, 12).toString('hex'), '123401000001000000000000');
  assert.equal(b.subarray(12, 16).toString('latin1'), '\x03web');
  assert.deepEqual(b.subarray(-4), Buffer.from([0, 1, 0, 1]));
  const m = parseMessage(b);
  assert.deepEqual(m.questions, [{ name: 'web.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }]);
  assert.equal(m.rd, true);
  assert.equal(m.qr, false);
});

test('names are lower-cased on read', () => {
  const b = encodeMessage(query('WeB.Default.SVC.cluster.local', TYPE.A));
  assert.equal(parseMessage(b).questions[0]!.name, 'web.default.svc.cluster.local');
});

test('every record type round-trips, with names compressed', () => {
  const m = query('web.default.svc.cluster.local', TYPE.SRV);
  m.qr = true;
  m.aa = true;
  m.answers = [
    { name: 'web.default.svc.cluster.local', class: CLASS_IN, ttl: 5, data: { type: TYPE.A, address: '10.43.0.7' } },
    { name: 'web.default.svc.cluster.local', class: CLASS_IN, ttl: 5, data: { type: TYPE.AAAA, address: 'fd00:0:0:0:0:0:0:1' } },
    { name: 'alias.default.svc.cluster.local', class: CLASS_IN, ttl: 5, data: { type: TYPE.CNAME, target: 'example.com' } },
    { name: '_http._tcp.web.default.svc.cluster.local', class: CLASS_IN, ttl: 5, data: { type: TYPE.SRV, srv: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } } },
    { name: '7.0.43.10.in-addr.arpa', class: CLASS_IN, ttl: 5, data: { type: TYPE.PTR, target: 'web.default.svc.cluster.local' } },
  ];
  m.authority = [{ name: 'cluster.local', class: CLASS_IN, ttl: 5, data: { type: TYPE.SOA, soa: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 42, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } } }];
  const b = encodeMessage(m);
  const back = parseMessage(b);
  assert.deepEqual(back.answers, m.answers);
  assert.deepEqual(back.authority, m.authority);
  assert.equal(back.aa, true);
  // Compression: the service name appears in full once; every other use is a 2-byte pointer.
  assert.equal(b.toString('latin1').split('\x03web\x07default').length - 1, 1);
});

test('IPv6 addresses in compressed and full forms encode alike', () => {
  const m = query('x.cluster.local', TYPE.AAAA);
  m.answers = [{ name: 'x.cluster.local', class: CLASS_IN, ttl: 5, data: { type: TYPE.AAAA, address: 'fd00::1' } }];
  assert.deepEqual(parseMessage(encodeMessage(m)).answers[0]!.data, { type: TYPE.AAAA, address: 'fd00:0:0:0:0:0:0:1' });
});

test('EDNS OPT: the requester size is read and an OPT is written back', () => {
  const m = parseMessage(encodeMessage(query('a.cluster.local', TYPE.A, true)));
  assert.deepEqual(m.edns, { udpSize: 4096 });
  assert.equal(m.additional.length, 0);
});

test('a reply larger than the UDP limit is truncated: TC set, records dropped', () => {
  const m = query('big.default.svc.cluster.local', TYPE.A);
  m.qr = true;
  for (let i = 0; i < 60; i++) m.answers.push({ name: 'big.default.svc.cluster.local', class: CLASS_IN, ttl: 5, data: { type: TYPE.A, address: `10.42.0.${i + 1}` } });
  const full = encodeMessage(m);
  assert.ok(full.length > 512);
  assert.equal(parseMessage(full).tc, false);
  const udp = encodeMessage(m, 512);
  assert.ok(udp.length <= 512);
  const back = parseMessage(udp);
  assert.equal(back.tc, true);
  assert.equal(back.answers.length, 0);
  assert.equal(back.questions.length, 1);
});

test('malformed input is rejected, pointer loops included', () => {
  assert.throws(() => parseMessage(Buffer.alloc(5)), DnsFormatError);
  // Header claims one question; the name is a pointer to itself.
  const loop = Buffer.concat([Buffer.from('000100000001000000000000', 'hex'), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
  assert.throws(() => parseMessage(loop), /loop/);
  const past = Buffer.concat([Buffer.from('000100000001000000000000', 'hex'), Buffer.from([10, 0x61])]);
  assert.throws(() => parseMessage(past), DnsFormatError);
  const count = Buffer.from('000100000002000000000000', 'hex');
  assert.throws(() => parseMessage(count), DnsFormatError);
});

test('rcode and flags survive a round trip', () => {
  const m = query('nope.cluster.local', TYPE.A);
  m.qr = true;
  m.ra = true;
  m.rcode = RCODE.NXDOMAIN;
  const back = parseMessage(encodeMessage(m));
  assert.equal(back.rcode, RCODE.NXDOMAIN);
  assert.equal(back.ra, true);
  assert.equal(back.id, 0x1234);
});
