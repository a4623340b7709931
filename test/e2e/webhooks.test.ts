// Admission webhooks with the real kubectl (issue 3, Done-when 4): a validating webhook (a small
// HTTPS server in the test) rejects a labelled ConfigMap with its message; a mutating webhook adds
// a label; failurePolicy Ignore lets requests through when the webhook is down, Fail refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startServer, type KtsServer } from './harness.js';

// The harness runs kubectl synchronously, which blocks this process: the webhook lives in a
// child process so it can answer while kubectl waits.
const helpers = fileURLToPath(new URL('../support/webhook-server.ts', import.meta.url));
const webhookMain = `
import { jsonPatch, startWebhookServer } from ${JSON.stringify(helpers)};
const hook = await startWebhookServer((req, path) => {
  const labels = req.object?.metadata?.labels ?? {};
  if (path === '/validate' && labels.forbidden === 'true') return { allowed: false, status: { code: 403, message: 'label forbidden=true is not allowed here' } };
  if (path === '/mutate') return { allowed: true, patchType: 'JSONPatch', patch: jsonPatch([req.object?.metadata?.labels ? { op: 'add', path: '/metadata/labels/mutated-by', value: 'webhook' } : { op: 'add', path: '/metadata/labels', value: { 'mutated-by': 'webhook' } }]) };
  if (path === '/validate') return { allowed: true, warnings: ['checked by the test webhook'] };
  return { allowed: true };
});
console.log(JSON.stringify({ url: hook.url, caBundle: hook.caBundle }));
`;

let srv: KtsServer;
let child: ChildProcess;
let hook: { url: string; caBundle: string };
before(async () => {
  srv = await startServer();
  child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', webhookMain], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  hook = JSON.parse(line) as typeof hook;
});
after(async () => {
  child?.kill();
  await srv?.cleanup();
});

function config(kind: 'Validating' | 'Mutating', name: string, url: string, failurePolicy = 'Fail'): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ${kind}WebhookConfiguration
metadata:
  name: ${name}
webhooks:
- name: ${name}.example.com
  clientConfig:
    url: ${url}
    caBundle: ${hook.caBundle}
  rules:
  - operations: [CREATE, UPDATE]
    apiGroups: [""]
    apiVersions: [v1]
    resources: [configmaps]
  failurePolicy: ${failurePolicy}
  sideEffects: None
  admissionReviewVersions: [v1]
  timeoutSeconds: 2
`;
}

const ok = (r: { code: number; stdout: string; stderr: string }) => assert.equal(r.code, 0, r.stderr + r.stdout);

test('a validating webhook rejects a labelled ConfigMap with its message', () => {
  ok(srv.kubectl(['apply', '-f', '-'], { input: config('Validating', 'deny-forbidden', `${hook.url}/validate`) }));
  const listed = srv.kubectl(['get', 'validatingwebhookconfigurations']);
  ok(listed);
  assert.match(listed.stdout, /^NAME\s+WEBHOOKS\s+AGE\ndeny-forbidden\s+1\s+\d+s\n/);
  const plain = srv.kubectl(['create', 'configmap', 'plain', '--from-literal=a=1']);
  ok(plain);
  // The webhook's warnings reach kubectl as Warning headers.
  assert.match(plain.stderr, /Warning: checked by the test webhook/);
  const bad = srv.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  labels: {forbidden: "true"}\ndata: {a: "1"}\n' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /^Error from server: error when creating "STDIN": admission webhook "deny-forbidden\.example\.com" denied the request: label forbidden=true is not allowed here/);
  const label = srv.kubectl(['label', 'configmap', 'plain', 'forbidden=true']);
  assert.notEqual(label.code, 0);
  assert.match(label.stderr, /denied the request: label forbidden=true is not allowed here/);
  ok(srv.kubectl(['delete', 'validatingwebhookconfiguration', 'deny-forbidden']));
});

test('a mutating webhook adds a label', () => {
  ok(srv.kubectl(['apply', '-f', '-'], { input: config('Mutating', 'add-label', `${hook.url}/mutate`) }));
  ok(srv.kubectl(['create', 'configmap', 'mutated', '--from-literal=a=1']));
  const got = srv.kubectl(['get', 'configmap', 'mutated', '-o', 'jsonpath={.metadata.labels.mutated-by}']);
  ok(got);
  assert.equal(got.stdout, 'webhook');
  ok(srv.kubectl(['delete', 'mutatingwebhookconfiguration', 'add-label']));
});

test('failurePolicy Ignore lets requests through when the webhook is down, Fail refuses them', () => {
  const down = 'https://127.0.0.1:1/down';
  ok(srv.kubectl(['apply', '-f', '-'], { input: config('Validating', 'down-ignore', down, 'Ignore') }));
  ok(srv.kubectl(['create', 'configmap', 'through', '--from-literal=a=1']));
  ok(srv.kubectl(['delete', 'validatingwebhookconfiguration', 'down-ignore']));
  ok(srv.kubectl(['apply', '-f', '-'], { input: config('Validating', 'down-fail', down) }));
  const refused = srv.kubectl(['create', 'configmap', 'refused', '--from-literal=a=1']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Internal error occurred: failed calling webhook "down-fail\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:1\/down\?timeout=2s": dial tcp 127\.0\.0\.1:1: connect: connection refused/);
  ok(srv.kubectl(['delete', 'validatingwebhookconfiguration', 'down-fail']));
  ok(srv.kubectl(['create', 'configmap', 'refused', '--from-literal=a=1']));
});

test('configurations with matchConditions are refused, naming the field', () => {
  const cel = config('Validating', 'cel', `${hook.url}/validate`) + '  matchConditions:\n  - name: x\n    expression: "true"\n';
  const r = srv.kubectl(['apply', '-f', '-'], { input: cel });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /webhooks\[0\]\.matchConditions: Forbidden/);
});
