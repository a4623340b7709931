// Cluster DNS from inside pods, on the real node (issue 6): the kubelet points pods at
// 10.43.0.10, kube-proxy DNATs it to the in-process DNS server, and busybox's nslookup
// resolve Services by short name (search path), StatefulSet-style hostnames under a headless
// Service, and nc fetches a page through the Service by name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServer, eventually, KTS_BIN, type KtsServer } from './harness.js';
import { buildBusyboxImage } from '../support/images.js';

const IMAGE = 'kts.test/busybox:1';
let srv: KtsServer;
let dnsIp: string;

function ok(args: string[], input?: string): string {
  const r = srv.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
const jsonpath = (kind: string, name: string, path: string) => srv.kubectl(['get', kind, name, '-o', `jsonpath={${path}}`]).stdout;
let lastExec = '';
const exec = (pod: string, cmd: string) => {
  const r = srv.kubectl(['exec', pod, '--', 'sh', '-c', cmd], { timeoutMs: 30_000 });
  lastExec = `${cmd} (exit ${r.code}): ${r.stdout}${r.stderr}`;
  return r;
};
/** A wait that, when it times out, says what the last command in the pod printed. */
const waitFor = <T>(fn: () => T, ms: number, what: string) => eventually(fn, ms, what).catch((e: Error) => {
  throw new Error(`${e.message}\nlast: ${lastExec}`);
});

before(async () => {
  srv = await startServer({ agent: true, extraArgs: ['--cluster-dns-port', '0'] });
  dnsIp = srv.serviceCidr!.replace(/\.0\/17$/, '.10');
  const dir = mkdtempSync(join(tmpdir(), 'kts-img-'));
  const tar = await buildBusyboxImage(dir, IMAGE);
  await eventually(() => srv.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status}']).stdout === 'True', 30_000, 'node Ready');
  const r = spawnSync(process.execPath, [KTS_BIN, 'image', 'import', '--data-dir', srv.dataDir, tar], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
});

after(async () => {
  await srv?.cleanup();
});

const pod = (name: string, labels: string, extra: string, cmd: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {${labels}}}
spec:
  ${extra}
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: ${IMAGE}
    imagePullPolicy: IfNotPresent
    command: [sh, -c, '${cmd}']
`;

test('pods resolve Services and headless hostnames through kube-dns and reach them by name', async () => {
  ok(['apply', '-f', '-'], [
    pod('web', 'app: web', 'hostname: web', 'mkdir -p /www; echo it works > /www/index.html; exec httpd -f -p 8080 -h /www'),
    pod('db-0', 'app: db', 'hostname: db-0\n  subdomain: db', 'exec sleep 3600'),
    pod('client', 'app: client', 'hostname: client', 'exec sleep 3600'),
    `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}, ports: [{name: x, port: 5432}]}
`,
  ].join('---\n'));
  for (const p of ['web', 'db-0', 'client']) {
    await eventually(() => jsonpath('pod', p, '.status.conditions[?(@.type=="Ready")].status') === 'True', 60_000, `pod ${p} Ready`);
  }
  const webIp = jsonpath('svc', 'web', '.spec.clusterIP');
  const dbIp = jsonpath('pod', 'db-0', '.status.podIP');
  assert.match(exec('client', 'cat /etc/resolv.conf').stdout, new RegExp(`nameserver ${dnsIp.replace(/\./g, '\\.')}`));

  // Short name through the search path (busybox tries every search domain and exits 1 when any
  // of them is NXDOMAIN, as it is with CoreDNS), then the full name.
  const short = (await waitFor(() => {
    const r = exec('client', 'nslookup web');
    return r.stdout.includes(webIp) ? r.stdout : undefined;
  }, 30_000, 'nslookup web from a pod'))!;
  assert.match(short, /web\.default\.svc\.cluster\.local/);
  const host = (await waitFor(() => {
    const r = exec('client', 'nslookup db-0.db.default.svc.cluster.local');
    return r.stdout.includes(dbIp) ? r.stdout : undefined;
  }, 30_000, 'the headless hostname from a pod'))!;
  assert.ok(host.includes(dbIp));
  const miss = exec('client', 'nslookup nope.default.svc.cluster.local');
  assert.notEqual(miss.code, 0);
  assert.match(miss.stdout + miss.stderr, /NXDOMAIN|can't find/i);

  // DNS and kube-proxy together: fetch through the Service by name (nc: this busybox's wget crashes).
  const page = (await waitFor(() => {
    const r = exec('client', 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 3 web 80');
    return r.code === 0 && r.stdout.includes('200 OK') ? r.stdout : undefined;
  }, 30_000, 'GET http://web/ from a pod'))!;
  assert.match(page, /it works/);
});
