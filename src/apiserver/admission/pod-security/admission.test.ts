// PodSecurity admission against the in-process server: enforce refuses with upstream's text, warn
// returns a Warning header, templates only warn, namespace labels are validated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { startTestCluster } from '../../../../test/support/cluster.js';
import type { TestCluster } from '../../../../test/support/cluster.js';
import type { KObject } from '../../../api/types.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
});
after(async () => c.stop());

/** POST/PUT with the admin identity; returns status, body and Warning headers. */
function call(method: string, path: string, body: unknown): Promise<{ code: number; body: { message?: string; metadata?: { name?: string } }; warnings: string[] }> {
  const u = new URL(c.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, ca: c.caPem, cert: c.certPem, key: c.keyPem, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const raw = res.headers.warning;
        const warnings = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((w) => w.split(/,\s*(?=299 )/)).map((w) => w.replace(/^299 - "/, '').replace(/"$/, '').replace(/\\(.)/g, '$1'));
        resolve({ code: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), warnings });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const ns = (name: string, labels: Record<string, string>): KObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (name: string, sc: Record<string, unknown> = {}): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', securityContext: sc }] } });
const good = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

test('enforce=restricted refuses a privileged pod with upstream text and admits a compliant one', async () => {
  assert.equal((await call('POST', '/api/v1/namespaces', ns('psa-r', { 'pod-security.kubernetes.io/enforce': 'restricted' }))).code, 201);
  const r = await call('POST', '/api/v1/namespaces/psa-r/pods', pod('bad', { privileged: true }));
  assert.equal(r.code, 403);
  assert.equal(r.body.message, 'pods "bad" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
  const ok = await call('POST', '/api/v1/namespaces/psa-r/pods', pod('good', good));
  assert.equal(ok.code, 201);
  assert.deepEqual(ok.warnings, []);
});

test('warn=baseline admits with a Warning; a Deployment template is warned about, never refused', async () => {
  await call('POST', '/api/v1/namespaces', ns('psa-w', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }));
  const p = await call('POST', '/api/v1/namespaces/psa-w/pods', pod('p'));
  assert.equal(p.code, 201);
  assert.equal(p.warnings.length, 1);
  assert.match(p.warnings[0]!, /^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'nginx' }] } } } };
  const d = await call('POST', '/apis/apps/v1/namespaces/psa-w/deployments', dep);
  assert.equal(d.code, 201);
  assert.match(d.warnings[0]!, /^would violate PodSecurity "restricted:latest": host namespaces \(hostNetwork=true\), allowPrivilegeEscalation/);
  // The same spec as a pod fails enforce=baseline.
  const hp = await call('POST', '/api/v1/namespaces/psa-w/pods', { ...pod('hn'), spec: { hostNetwork: true, containers: [{ name: 'c', image: 'nginx' }] } });
  assert.equal(hp.code, 403);
  assert.match(hp.body.message!, /violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)$/);
});

test('namespaces: invalid labels are refused; tightening enforce warns about existing pods', async () => {
  const bad = await call('POST', '/api/v1/namespaces', ns('psa-bad', { 'pod-security.kubernetes.io/enforce': 'strict' }));
  assert.equal(bad.code, 422);
  assert.equal(bad.body.message, 'Namespace "psa-bad" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted');
  await call('POST', '/api/v1/namespaces', ns('psa-up', {}));
  await call('POST', '/api/v1/namespaces/psa-up/pods', pod('priv', { privileged: true }));
  await call('POST', '/api/v1/namespaces/psa-up/pods', pod('priv2', { privileged: true }));
  await call('POST', '/api/v1/namespaces/psa-up/pods', { ...pod('hostnet'), spec: { hostNetwork: true, containers: [{ name: 'c', image: 'nginx' }] } });
  await call('POST', '/api/v1/namespaces/psa-up/pods', pod('fine'));
  const r = await call('PUT', '/api/v1/namespaces/psa-up', ns('psa-up', { 'pod-security.kubernetes.io/enforce': 'baseline' }));
  assert.equal(r.code, 200);
  assert.deepEqual(r.warnings, ['existing pods in namespace "psa-up" violate the new PodSecurity enforce level "baseline:latest"', 'hostnet: host namespaces', 'priv (and 1 other pod): privileged']);
  // Unlabelled namespaces are privileged: anything goes.
  assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod('anything', { privileged: true }))).code, 201);
});
