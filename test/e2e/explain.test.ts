// kubectl explain against kts's OpenAPI v3 documents: field documentation as upstream prints it,
// recursive field trees, and unknown fields refused, with the current kubectl and 1.31.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from './harness.js';
import type { KtsServer } from './harness.js';

let srv: KtsServer;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

const docs = (file: string) => JSON.parse(readFileSync(new URL(`../../src/api/schema/descriptions/${file}.json`, import.meta.url), 'utf8')) as Record<string, Record<string, string>>;
/** kubectl wraps descriptions at 80 columns: compare with whitespace folded. */
const fold = (s: string) => s.replace(/\s+/g, ' ');

for (const bin of ['kubectl', 'kubectl.1.31']) {
  test(`${bin} explain deployment.spec.strategy.rollingUpdate prints the field documentation`, () => {
    const r = srv.kubectl(['explain', 'deployment.spec.strategy.rollingUpdate'], { bin });
    assert.equal(r.code, 0, r.stderr);
    const apps = docs('apps')['io.k8s.api.apps.v1.RollingUpdateDeployment']!;
    assert.match(r.stdout, /KIND:\s+Deployment/);
    assert.match(r.stdout, /maxSurge\s+<IntOrString>/);
    for (const text of [apps.maxSurge!, apps.maxUnavailable!, apps['.']!]) assert.ok(fold(r.stdout).includes(fold(text)), `missing: ${text}\n${r.stdout}`);
  });

  test(`${bin} explain pod.spec.containers --recursive prints the whole tree`, () => {
    const r = srv.kubectl(['explain', 'pod.spec.containers', '--recursive'], { bin });
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['livenessProbe\t<Probe>', 'httpGet\t<HTTPGetAction>', 'securityContext\t<SecurityContext>', 'name\t<string> -required-']) assert.ok(r.stdout.includes(f), `missing ${f}`);
    assert.ok(fold(r.stdout).includes(fold(docs('core-pod')['io.k8s.api.core.v1.PodSpec']!.containers!)));
  });
}

test('explain of a field that does not exist fails as upstream', () => {
  const r = srv.kubectl(['explain', 'pods.spec.nope']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /field "nope" does not exist/);
});
