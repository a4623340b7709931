// The ingress controller end to end: `kts server` with its node and the ingress on random ports;
// busybox httpd pods behind Services, one Ingress routing two hosts and a path, an unknown host
// (404), a Service without ready endpoints (503), TLS with the Secret's certificate by SNI (the
// default certificate otherwise), and the node's IP in the Ingress status — with the real kubectl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { connect as connectTcp } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { startServer, eventually, KTS_BIN, type KtsServer } from './harness.js';
import { buildBusyboxImage } from '../support/images.js';

const IMAGE = 'kts.test/busybox:1';
let srv: KtsServer;
let httpPort = 0;
let httpsPort = 0;
let certDir = '';

function ok(args: string[], input?: string): string {
  const r = srv.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function get(host: string, path = '/', tls = false): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const o = { host: '127.0.0.1', port: tls ? httpsPort : httpPort, path, headers: { host }, timeout: 5000, servername: host, rejectUnauthorized: false };
    const req = (tls ? httpsRequest : httpRequest)(o, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function peerCert(servername: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: httpsPort, servername, rejectUnauthorized: false }, () => {
      const c = s.getPeerX509Certificate()!;
      s.end();
      resolve(c);
    });
    s.on('error', reject);
  });
}

function site(name: string, text: string, portName: string): string {
  return `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  containers:
  - name: httpd
    image: ${IMAGE}
    imagePullPolicy: IfNotPresent
    command: [sh, -c, 'mkdir -p /www/api && echo ${text} > /www/index.html && echo ${text} api > /www/api/index.html && exec httpd -f -p 8080 -h /www']
    ports: [{name: ${portName}, containerPort: 8080}]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: ${name}}
  ports: [{name: ${portName}, port: 80, targetPort: ${portName}}]
`;
}

before(async () => {
  srv = await startServer({ agent: true, extraArgs: ['--ingress-http-port', '0', '--ingress-https-port', '0'] });
  const m = await eventually(() => /listening on http port (\d+) and https port (\d+)/.exec(srv.logs()), 30_000, 'ingress listening');
  httpPort = Number(m![1]);
  httpsPort = Number(m![2]);
  const dir = mkdtempSync(join(tmpdir(), 'kts-img-'));
  const tar = await buildBusyboxImage(dir, IMAGE);
  const r = spawnSync(process.execPath, [KTS_BIN, 'image', 'import', '--data-dir', srv.dataDir, tar], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  certDir = mkdtempSync(join(tmpdir(), 'kts-cert-'));
  const c = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=secure.test', '-addext', 'subjectAltName=DNS:secure.test', '-keyout', join(certDir, 'tls.key'), '-out', join(certDir, 'tls.crt')], { encoding: 'utf8' });
  assert.equal(c.status, 0, c.stderr);
});

after(async () => {
  await srv?.cleanup();
});

test('the default IngressClass exists and is the default', () => {
  assert.equal(ok(['get', 'ingressclass', 'kts', '-o', 'jsonpath={.spec.controller} {.metadata.annotations.ingressclass\\.kubernetes\\.io/is-default-class}']), 'kts.io/ingress true');
});

test('two hosts and a path reach the right pods; unknown host 404; no ready endpoints 503; status has the node IP', async () => {
  ok(['apply', '-f', '-'], site('alpha', 'alpha-site', 'http') + '---' + site('beta', 'beta-site', 'web') + '---' + site('gamma', 'gamma-site', 'http'));
  ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Service
metadata: {name: nobody}
spec:
  selector: {app: nobody}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: sites}
spec:
  rules:
  - host: alpha.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: alpha, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: gamma, port: {name: http}}}}
  - host: beta.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: beta, port: {name: web}}}}
  - host: empty.test
    http:
      paths:
      - {path: /, pathType: Exact, backend: {service: {name: nobody, port: {number: 80}}}}
`);
  for (const p of ['alpha', 'beta', 'gamma']) {
    await eventually(() => ok(['get', 'pod', p, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']) === 'True', 60_000, `pod ${p} Ready`);
  }
  const alpha = await eventually(async () => {
    const r = await get('alpha.test').catch(() => undefined);
    return r?.status === 200 ? r : undefined;
  }, 20_000, 'alpha.test through the ingress');
  assert.equal(alpha?.body, 'alpha-site\n');
  await eventually(async () => (await get('beta.test:80', '/')).body === 'beta-site\n', 20_000, 'beta.test');
  await eventually(async () => (await get('alpha.test', '/api/')).body === 'gamma-site api\n', 20_000, 'alpha.test/api');
  assert.equal((await get('alpha.test', '/apis/')).status, 404, 'alpha\'s httpd has no /apis/: the request went to alpha, not gamma');
  assert.equal((await get('unknown.test')).status, 404);
  assert.equal((await get('empty.test')).status, 503);
  await eventually(() => ok(['get', 'ingress', 'sites', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']) === '127.0.0.1', 20_000, 'status.loadBalancer');
  assert.equal(ok(['get', 'ingress', 'sites', '-o', 'jsonpath={.spec.ingressClassName}']), 'kts', 'the DefaultIngressClass admission set the class');
});

test('TLS: the Secret named in spec.tls is served for its host (SNI), the default certificate otherwise', async () => {
  ok(['create', 'secret', 'tls', 'secure-tls', '--cert', join(certDir, 'tls.crt'), '--key', join(certDir, 'tls.key')]);
  ok(['apply', '-f', '-'], `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: secure}
spec:
  ingressClassName: kts
  tls: [{hosts: [secure.test], secretName: secure-tls}]
  rules:
  - host: secure.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: beta, port: {number: 80}}}}
`);
  const want = new X509Certificate(readFileSync(join(certDir, 'tls.crt'))).fingerprint256;
  await eventually(async () => (await peerCert('secure.test')).fingerprint256 === want, 20_000, 'the secret certificate for secure.test');
  assert.match((await peerCert('other.test')).subject, /Fake Certificate/);
  await eventually(async () => (await get('secure.test', '/', true)).body === 'beta-site\n', 20_000, 'HTTPS to secure.test');
  // ingress-nginx's default ssl-redirect: plain HTTP for a TLS host is sent to https.
  const plain = await get('secure.test', '/page?x=1');
  assert.equal(plain.status, 308);
  assert.equal(plain.location, `https://secure.test:${httpsPort}/page?x=1`);
});

test('an Ingress of another class is not served', async () => {
  ok(['apply', '-f', '-'], `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: foreign}
spec:
  ingressClassName: nginx
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: alpha, port: {number: 80}}}}
`);
  // A host-less rule would catch foreign.test if it were served; the other Ingresses are served by
  // now, so a miss here is the class filter, not a slow cache.
  await eventually(async () => (await get('secure.test', '/', true)).status === 200, 20_000, 'served');
  assert.equal((await get('foreign.test')).status, 404);
  assert.equal(ok(['get', 'ingress', 'foreign', '-o', 'jsonpath={.status.loadBalancer.ingress}']), '');
});

test('Upgrade requests are piped both ways to the pod (an echo protocol after 101)', async () => {
  // busybox has no WebSocket server: a shell script answers the upgrade and echoes raw bytes, which
  // is all the ingress sees of any upgraded protocol.
  ok(['apply', '-f', '-'], `
apiVersion: v1
kind: ConfigMap
metadata: {name: echo-script}
data:
  up.sh: |
    while read -r line; do
      [ -z "$(echo "$line" | tr -d '\\r')" ] && break
    done
    printf 'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n'
    exec cat
---
apiVersion: v1
kind: Pod
metadata: {name: echo, labels: {app: echo}}
spec:
  containers:
  - name: nc
    image: ${IMAGE}
    imagePullPolicy: IfNotPresent
    command: [nc, -ll, -p, '8080', -e, sh, /script/up.sh]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
    volumeMounts: [{name: script, mountPath: /script}]
  volumes:
  - {name: script, configMap: {name: echo-script}}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: echo}
spec:
  rules:
  - host: echo.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 80}}}}
`);
  await eventually(() => ok(['get', 'pod', 'echo', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']) === 'True', 60_000, 'pod echo Ready');
  const talk = () =>
    new Promise<string>((resolve, reject) => {
      let got = '';
      const s = connectTcp(httpPort, '127.0.0.1', () => s.write('GET /chat HTTP/1.1\r\nHost: echo.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n'));
      s.setTimeout(5000, () => s.destroy(new Error(`timeout; got ${JSON.stringify(got)}`)));
      s.on('data', (d) => {
        got += d;
        if (/^HTTP\/1\.1 101 /.test(got) && got.endsWith('\r\n\r\n')) s.write('ping over the upgrade\n');
        if (got.includes('ping over the upgrade\n')) {
          s.destroy();
          resolve(got);
        }
      });
      s.on('error', reject);
      // Refused before the route is in place (a 404/503 and a close): try again.
      s.on('close', () => reject(new Error(`closed; got ${JSON.stringify(got)}`)));
    });
  const got = await eventually(() => talk().catch(() => undefined), 20_000, 'the upgraded echo');
  assert.match(got ?? '', /^HTTP\/1\.1 101 Switching Protocols\r\n/i);
  assert.match(got ?? '', /\r\n\r\nping over the upgrade\n$/);
});
