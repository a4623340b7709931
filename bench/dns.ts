// Cluster DNS (issue 6): UDP A queries for 5,000 Services from a separate load process with a
// fixed number in flight, so client and server do not share an event loop. qps and latency.
import { spawn } from 'node:child_process';
import { ClusterRecords } from '../src/dns/cluster-records.js';
import { ClusterLookup } from '../src/dns/lookup.js';
import { Forwarder } from '../src/dns/forward.js';
import { QueryHandler } from '../src/dns/handler.js';
import { startDnsServer } from '../src/dns/server.js';
import { CLASS_IN, TYPE, encodeMessage } from '../src/dns/wire.js';

// The load generator: plain JS for `node -e`; queries come in as hex, one per line on stdin.
const LOAD = `
const dgram = require('node:dgram');
const [port, total, inflight] = process.argv.slice(1).map(Number);
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const queries = input.trim().split('\\n').map((h) => Buffer.from(h, 'hex'));
  const sock = dgram.createSocket('udp4');
  const sent = new Map();
  const lat = [];
  let next = 0;
  const send = () => {
    const q = queries[next % queries.length];
    const id = next & 0xffff;
    q.writeUInt16BE(id, 0);
    next++;
    sent.set(id, process.hrtime.bigint());
    sock.send(q, port, '127.0.0.1');
  };
  const t0 = process.hrtime.bigint();
  sock.on('message', (m) => {
    const s = sent.get(m.readUInt16BE(0));
    if (s === undefined) return;
    sent.delete(m.readUInt16BE(0));
    lat.push(Number(process.hrtime.bigint() - s) / 1e6);
    if (lat.length === total) {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      lat.sort((a, b) => a - b);
      process.stdout.write(JSON.stringify({ qps: total / secs, p50: lat[Math.floor(total * 0.5)], p99: lat[Math.floor(total * 0.99)] }));
      process.exit(0);
    } else if (next < total) send();
  });
  for (let i = 0; i < inflight; i++) send();
});
`;

export async function dnsBench(total = 100_000, inflight = 16): Promise<[string, string, string][]> {
  const records = new ClusterRecords();
  const n = 5000;
  for (let i = 0; i < n; i++) records.setService({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'bench' }, spec: { clusterIP: `10.43.${i >> 8}.${i & 255}` } });
  const ac = new AbortController();
  const server = await startDnsServer('127.0.0.1', 0, new QueryHandler(new ClusterLookup(records, 'cluster.local'), new Forwarder([])), ac.signal);
  try {
    const hex = Array.from({ length: n }, (_, i) =>
      encodeMessage({ id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0, questions: [{ name: `s${i}.bench.svc.cluster.local`, type: TYPE.A, class: CLASS_IN }], answers: [], authority: [], additional: [] }).toString('hex'),
    ).join('\n');
    const child = spawn(process.execPath, ['-e', LOAD, String(server.port), String(total), String(inflight)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stdin.end(hex);
    const timer = setTimeout(() => child.kill(), 120_000);
    await new Promise((r) => child.once('exit', r));
    clearTimeout(timer);
    const r = JSON.parse(out) as { qps: number; p50: number; p99: number };
    return [[`cluster DNS: UDP A queries, ${n.toLocaleString('en')} Services, ${inflight} in flight (qps, p50 / p99)`, `${r.qps.toFixed(0)} qps, ${r.p50.toFixed(2)} / ${r.p99.toFixed(2)} ms`, '>= 10,000 qps, p99 < 5 ms']];
  } finally {
    ac.abort();
    await server.done;
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  for (const [what, got, target] of await dnsBench()) process.stdout.write(`${what}: ${got} (target ${target})\n`);
}
