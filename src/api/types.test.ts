import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clone } from './types.js';

test('clone copies JSON data deeply, sharing nothing with the original', () => {
  const pod = JSON.parse('{"metadata":{"name":"p","labels":{"a":"b"},"managedFields":[{"fieldsV1":{"f:spec":{}}}]},"spec":{"containers":[{"name":"c","ports":[{"containerPort":80}]}]},"status":{"podIP":null,"ready":true,"n":1.5}}') as Record<string, unknown>;
  const copy = clone(pod);
  assert.deepEqual(copy, pod);
  assert.equal(JSON.stringify(copy), JSON.stringify(pod), 'same key order');
  (copy.metadata as { labels: Record<string, string> }).labels.a = 'changed';
  ((copy.spec as { containers: { ports: unknown[] }[] }).containers[0]!.ports as unknown[]).push({ containerPort: 81 });
  assert.equal((pod.metadata as { labels: Record<string, string> }).labels.a, 'b');
  assert.equal((pod.spec as { containers: { ports: unknown[] }[] }).containers[0]!.ports.length, 1);
});

test('clone keeps a "__proto__" key as data, and copies what is not JSON as structuredClone does', () => {
  const o = JSON.parse('{"x":{"__proto__":{"polluted":true},"y":1}}') as { x: Record<string, unknown> };
  const copy = clone(o);
  assert.deepEqual(Object.keys(copy.x), ['__proto__', 'y']);
  assert.equal(Object.getPrototypeOf(copy.x), Object.prototype);
  assert.equal((copy.x as { polluted?: boolean }).polluted, undefined);
  assert.deepEqual(copy.x['__proto__'], { polluted: true });
  const when = new Date(0);
  const withDate = clone({ when, list: [undefined, null] });
  assert.ok(withDate.when instanceof Date && withDate.when !== when && withDate.when.getTime() === 0);
  assert.deepEqual(withDate.list, [undefined, null]);
});
