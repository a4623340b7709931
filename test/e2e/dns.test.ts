// Cluster DNS against the real `kts server --disable-agent` (issue 6): the kube-dns Service and
// the endpoints kts keeps for it, then answers over UDP and TCP from Node's resolver (c-ares) for
// Services, headless Services with hostnames, ExternalName, pod names, misses and forwarded names,
// following changes made through kubectl. `--disable coredns` leaves it all out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { startServer, eventually, sleep } from './harness.js';
import type { KtsServer } from './harness.js';

let srv: KtsServer;
let resolver: Resolver;
before(async () => {
  srv = await startServer({ extraArgs: ['--cluster-dns-port', '0'] });
});
after(async () => {
  await srv?.cleanup();
});

interface Slice { metadata: { resourceVersion: string; labels: Record<string, string> }; endpoints: { addresses: string[] }[]; ports: { name: string; port: number; protocol: string }[] }

const json = <T>(args: string[]): T => {
  const r = srv.kubectl([...args, '-o', 'json']);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};
const apply = (yaml: string) => {
  const r = srv.kubectl(['apply', '-f', '-'], { input: yaml });
  assert.equal(r.code, 0, r.stderr);
};

test('kube-dns: a selector-less Service at the 10th service address, endpoints at the DNS server', async () => {
  const slice = (await eventually(() => {
    const r = srv.kubectl(['get', 'endpointslice', '-n', 'kube-system', 'kube-dns-kts', '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as Slice) : undefined;
  }, 15_000, 'the kube-dns EndpointSlice'))!;
  const svc = json<{ spec: { clusterIP: string; selector?: unknown; ports: { name: string; port: number; protocol: string }[] } }>(['get', 'svc', '-n', 'kube-system', 'kube-dns']);
  assert.equal(svc.spec.clusterIP, '10.43.0.10');
  assert.equal(svc.spec.selector, undefined);
  assert.deepEqual(svc.spec.ports.map((p) => `${p.name}/${p.port}/${p.protocol}`), ['dns/53/UDP', 'dns-tcp/53/TCP']);
  assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'kube-dns');
  assert.deepEqual(slice.endpoints.map((e) => e.addresses), [['127.0.0.1']]);
  const port = slice.ports[0]!.port;
  assert.ok(port > 0);
  assert.deepEqual(slice.ports.map((p) => `${p.name}/${p.port}/${p.protocol}`).sort(), [`dns-tcp/${port}/TCP`, `dns/${port}/UDP`]);
  const ep = json<{ subsets: { addresses: { ip: string }[]; ports: { port: number }[] }[] }>(['get', 'endpoints', '-n', 'kube-system', 'kube-dns']);
  assert.deepEqual(ep.subsets[0]!.addresses.map((a) => a.ip), ['127.0.0.1']);
  assert.ok(ep.subsets[0]!.ports.every((p) => p.port === port));
  resolver = new Resolver({ timeout: 4000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  assert.deepEqual(await resolver.resolve4('kube-dns.kube-system.svc.cluster.local'), ['10.43.0.10']);
  // The endpoints controllers leave a selector-less Service's slice alone (give them time to act).
  await sleep(2000);
  const again = json<Slice>(['get', 'endpointslice', '-n', 'kube-system', 'kube-dns-kts']);
  assert.equal(again.metadata.resourceVersion, slice.metadata.resourceVersion);
});

test('Services: A, SRV for named ports, NODATA for AAAA, NXDOMAIN for the rest, changes followed', async () => {
  apply(`apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`);
  const ip = json<{ spec: { clusterIP: string } }>(['get', 'svc', 'web']).spec.clusterIP;
  assert.deepEqual(await eventually(() => resolver.resolve4('web.default.svc.cluster.local').catch(() => undefined), 10_000, 'web A'), [ip]);
  const srvs = await resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local');
  assert.deepEqual(srvs.map((s) => `${s.name}:${s.port}`), ['web.default.svc.cluster.local:80']);
  await assert.rejects(resolver.resolve6('web.default.svc.cluster.local'), { code: 'ENODATA' });
  assert.deepEqual(await resolver.reverse(ip), ['web.default.svc.cluster.local']);
  await assert.rejects(resolver.resolve4('nope.default.svc.cluster.local'), { code: 'ENOTFOUND' });
  await assert.rejects(resolver.resolveSrv('_http._udp.web.default.svc.cluster.local'), { code: 'ENOTFOUND' });
  assert.equal(srv.kubectl(['delete', 'svc', 'web']).code, 0);
  await eventually(() => resolver.resolve4('web.default.svc.cluster.local').then(() => false, (e: { code?: string }) => e.code === 'ENOTFOUND'), 10_000, 'web gone');
});

test('headless Service: every ready endpoint, hostnames, SRV per endpoint; large answers over TCP', async () => {
  const endpoints = [
    '  - {addresses: ["10.42.7.10"], hostname: db-0, conditions: {ready: true}}',
    '  - {addresses: ["10.42.7.11"], hostname: db-1, conditions: {ready: true}}',
    '  - {addresses: ["10.42.7.12"], hostname: db-2, conditions: {ready: false}}',
  ].join('\n');
  apply(`apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec:
  clusterIP: None
  ports: [{name: pg, port: 5432}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-1
  namespace: default
  labels: {kubernetes.io/service-name: db, endpointslice.kubernetes.io/managed-by: e2e}
addressType: IPv4
ports: [{name: pg, port: 5432, protocol: TCP}]
endpoints:
${endpoints}
`);
  const a = (await eventually(() => resolver.resolve4('db.default.svc.cluster.local').catch(() => undefined), 10_000, 'db A'))!;
  assert.deepEqual(a.sort(), ['10.42.7.10', '10.42.7.11']);
  assert.deepEqual(await resolver.resolve4('db-1.db.default.svc.cluster.local'), ['10.42.7.11']);
  await assert.rejects(resolver.resolve4('db-2.db.default.svc.cluster.local'), { code: 'ENOTFOUND' });
  const srvs = await resolver.resolveSrv('_pg._tcp.db.default.svc.cluster.local');
  assert.deepEqual(srvs.map((s) => `${s.name}:${s.port}`).sort(), ['db-0.db.default.svc.cluster.local:5432', 'db-1.db.default.svc.cluster.local:5432']);

  // 120 addresses do not fit in a UDP reply (1232 bytes with EDNS): the resolver gets TC and asks over TCP.
  const many = Array.from({ length: 120 }, (_, i) => `  - {addresses: ["10.42.8.${i + 1}"]}`).join('\n');
  apply(`apiVersion: v1
kind: Service
metadata: {name: big, namespace: default}
spec: {clusterIP: None, ports: [{name: x, port: 1}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: big-1, namespace: default, labels: {kubernetes.io/service-name: big, endpointslice.kubernetes.io/managed-by: e2e}}
addressType: IPv4
ports: [{name: x, port: 1, protocol: TCP}]
endpoints:
${many}
`);
  const all = await eventually(() => resolver.resolve4('big.default.svc.cluster.local').then((r) => (r.length === 120 ? r : undefined), () => undefined), 10_000, '120 addresses');
  assert.equal(new Set(all).size, 120);
});

test('ExternalName is a CNAME; pod names resolve; other names are forwarded and fail fast', async () => {
  apply(`apiVersion: v1
kind: Service
metadata: {name: ext, namespace: default}
spec: {type: ExternalName, externalName: example.com}
`);
  assert.deepEqual(await eventually(() => resolver.resolveCname('ext.default.svc.cluster.local').catch(() => undefined), 10_000, 'ext CNAME'), ['example.com']);
  assert.deepEqual(await resolver.resolve4('10-42-0-9.default.pod.cluster.local'), ['10.42.0.9']);
  // No internet here: the host's resolvers do not answer (or refuse); kts answers within ~2 s.
  const t0 = Date.now();
  await assert.rejects(resolver.resolve4('kts-e2e.example.invalid'));
  assert.ok(Date.now() - t0 < 3500, `forwarding took ${Date.now() - t0} ms`);
});

test('--disable coredns: no kube-dns Service', async () => {
  const other = await startServer({ extraArgs: ['--disable', 'coredns'] });
  try {
    await sleep(1500);
    const r = other.kubectl(['get', 'svc', '-n', 'kube-system', 'kube-dns']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not found/i);
    assert.doesNotMatch(other.logs(), /cluster DNS listening/);
  } finally {
    await other.cleanup();
  }
});
