import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDuplicateFields } from './duplicate-fields.js';

test('the upstream field-validation body: paths in document order', () => {
  // The invalid Deployment body of upstream's field validation integration test.
  const body = `{
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": { "name": "dupename", "name": "web", "labels": {"app": "nginx"}, "unknownMeta": "metaVal" },
    "spec": {
      "unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2",
      "paused": true, "paused": false,
      "selector": { "matchLabels": { "app": "nginx" } },
      "template": { "metadata": { "labels": { "app": "nginx" } },
        "spec": { "containers": [{ "name": "nginx", "image": "nginx:latest", "unknownNested": "val1",
          "imagePullPolicy": "Always", "imagePullPolicy": "Never" }] } }
    }
  }`;
  assert.deepEqual(findDuplicateFields(body), [
    'metadata.name',
    'spec.unknownDupe',
    'spec.paused',
    'spec.template.spec.containers[0].imagePullPolicy',
  ]);
});

test('no duplicates, and keys in sibling objects do not collide', () => {
  assert.deepEqual(findDuplicateFields('{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}]}'), []);
  assert.deepEqual(findDuplicateFields('[]'), []);
  assert.deepEqual(findDuplicateFields('"x"'), []);
});

test('array indices, nested arrays, and each repeat reported', () => {
  assert.deepEqual(findDuplicateFields('{"l":[1,{"a":1},[{"b":1,"b":2}]],"a":1,"a":2,"a":3}'), ['l[2][0].b', 'a', 'a']);
  assert.deepEqual(findDuplicateFields('[{"k":1},{"k":1,"k":2}]'), ['[1].k']);
});

test('string contents with quotes, escapes, braces and commas do not confuse the scan', () => {
  const body = '{"a":"x\\"},{\\"a\\":","b":"\\\\","c":"[,{","a":1}';
  assert.deepEqual(JSON.parse(body), { a: 1, b: '\\', c: '[,{' });
  assert.deepEqual(findDuplicateFields(body), ['a']);
});

test('escaped keys are compared by value', () => {
  assert.deepEqual(findDuplicateFields('{"spec":{"a":1,"\\u0061":2}}'), ['spec.a']);
  assert.deepEqual(findDuplicateFields('{"a\\"b":1,"a\\"b":2}'), ['a"b']);
});

test('objects with many keys (Set path)', () => {
  const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
  assert.deepEqual(findDuplicateFields(`{${keys.join(',')}}`), []);
  assert.deepEqual(findDuplicateFields(`{"m":{${keys.join(',')},"k39":0,"k3":0}}`), ['m.k39', 'm.k3']);
});

test('malformed input ends quietly', () => {
  assert.deepEqual(findDuplicateFields('{"a":1,"a'), []);
  assert.deepEqual(findDuplicateFields('}}]]{"a":1,"a":2'), ['a']);
});

test('1 MB body scans in a few milliseconds', () => {
  const container = (i: number) => ({ name: `c${i}`, image: 'registry.example/app:1.0', env: Array.from({ length: 10 }, (_, j) => ({ name: `E${j}`, value: `value "${j}" with {braces}, [brackets]` })), ports: [{ containerPort: 80, protocol: 'TCP' }] });
  const items = [];
  let body = '';
  for (let i = 0; body.length < 1_000_000; i++) {
    items.push(container(i));
    if (i % 50 === 0) body = JSON.stringify({ spec: { containers: items } });
  }
  body = JSON.stringify({ spec: { containers: items } }).replace('"name":"c7",', '"name":"c7","name":"again",');
  assert.ok(body.length >= 1_000_000);
  findDuplicateFields(body); // warm up
  const t0 = performance.now();
  const dups = findDuplicateFields(body);
  const ms = performance.now() - t0;
  assert.deepEqual(dups, ['spec.containers[7].name']);
  assert.ok(ms < 50, `took ${ms.toFixed(1)} ms`);
});
