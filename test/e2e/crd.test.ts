// CustomResourceDefinitions with the real kubectl: apply a CRD with a schema, then get/describe/
// apply/patch/delete custom objects, schema rejections, printer columns, status only through
// /status, and the resource leaving discovery when the CRD is deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, eventually } from './harness.js';
import type { KtsServer } from './harness.js';

let srv: KtsServer;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              cronSpec: {type: string, pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'}
              image: {type: string}
              replicas: {type: integer, minimum: 1, maximum: 10, default: 1}
          status:
            type: object
            properties:
              replicas: {type: integer}
`;

const ct = (replicas: string, extra = '') => `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: my-cron
spec:
  cronSpec: "* * * * */5"
  image: my-cron-image
  replicas: ${replicas}
${extra}`;

test('CRD lifecycle with kubectl', async () => {
  const k = (args: string[], input?: string) => srv.kubectl(args, input === undefined ? {} : { input });
  let r = k(['apply', '-f', '-'], crd);
  assert.equal(r.code, 0, r.stderr);
  r = k(['wait', '--for=condition=Established', 'crd/crontabs.stable.example.com', '--timeout=20s']);
  assert.equal(r.code, 0, r.stderr);

  r = k(['apply', '-f', '-'], ct('3'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /crontab.stable.example.com\/my-cron created/);

  r = k(['get', 'ct']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /NAME\s+SPEC\s+REPLICAS\s+AGE/);
  assert.match(r.stdout, /my-cron\s+\* \* \* \* \*\/5\s+3\s+\d+s/);

  r = k(['get', 'all']);
  assert.match(r.stdout, /crontab.stable.example.com\/my-cron/);

  r = k(['describe', 'crontab', 'my-cron']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Kind:\s+CronTab/);

  r = k(['explain', 'crontab.spec']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /KIND:\s+CronTab/);
  assert.match(r.stdout, /replicas\s+<integer>/);

  // Bad objects are rejected with the schema's reason.
  r = k(['apply', '-f', '-'], ct('"three"').replace('my-cron', 'bad'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"/);
  r = k(['apply', '-f', '-'], ct('20').replace('my-cron', 'bad'));
  assert.match(r.stderr, /spec.replicas in body should be less than or equal to 10/);

  r = k(['apply', '-f', '-'], ct('2', '  color: red\n').replace('my-cron', 'bad'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /strict decoding error: unknown field "spec.color"/);

  // Re-apply with a change (client-side apply uses a JSON merge patch for custom kinds).
  r = k(['apply', '-f', '-'], ct('4'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /configured/);
  r = k(['patch', 'ct', 'my-cron', '--type=merge', '-p', '{"spec":{"image":"v2"}}']);
  assert.equal(r.code, 0, r.stderr);
  r = k(['patch', 'ct', 'my-cron', '-p', '{"spec":{"image":"v3"}}']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /strategic-merge-patch/);

  // Status only through /status.
  k(['patch', 'ct', 'my-cron', '--type=merge', '-p', '{"status":{"replicas":2}}']);
  r = k(['get', 'ct', 'my-cron', '-o', 'jsonpath={.status.replicas}']);
  assert.equal(r.stdout, '');
  r = k(['patch', 'ct', 'my-cron', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":2}}']);
  assert.equal(r.code, 0, r.stderr);
  r = k(['get', 'ct', 'my-cron', '-o', 'jsonpath={.status.replicas} {.spec.image}']);
  assert.equal(r.stdout, '2 v2');

  r = k(['scale', 'ct', 'my-cron', '--replicas=5']);
  assert.equal(r.code, 0, r.stderr);
  r = k(['get', 'ct', 'my-cron', '-o', 'jsonpath={.spec.replicas}']);
  assert.equal(r.stdout, '5');

  // After a restart the stored CRD is served again before the first request.
  await srv.restart();
  r = k(['get', 'crontab', 'my-cron', '-o', 'jsonpath={.spec.replicas}']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '5');

  r = k(['delete', 'ct', 'my-cron']);
  assert.equal(r.code, 0, r.stderr);
  r = k(['apply', '-f', '-'], ct('2'));
  assert.equal(r.code, 0, r.stderr);

  // Deleting the CRD removes its objects and the resource from discovery.
  r = k(['delete', 'crd', 'crontabs.stable.example.com']);
  assert.equal(r.code, 0, r.stderr);
  await eventually(() => {
    const g = k(['api-resources', '--api-group=stable.example.com']);
    return g.code === 0 && !/crontabs/.test(g.stdout);
  }, 15_000, 'crontabs gone from discovery');
  r = k(['get', 'crontabs']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /the server doesn't have a resource type "crontabs"|could not find the requested resource/);
  r = k(['get', '--raw', '/apis/stable.example.com/v1']);
  assert.notEqual(r.code, 0);
});
