// Pure checks of the schema helpers: kube-openapi's messages, pruning and defaulting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../api/errors.js';
import { validateValue } from './schema-validate.js';
import { applySchemaDefaults, prune } from './prune-default.js';
import { evalPath } from './printer.js';
import type { JSONSchemaProps } from './types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', maxItems: 2, items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        ports: { type: 'array', items: { type: 'object', properties: { p: { type: 'integer' }, proto: { type: 'string', default: 'TCP' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['p'] },
        opt: { type: 'string', nullable: true },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

function errorsOf(v: unknown): string[] {
  const errs: FieldError[] = [];
  validateValue(v, schema, '', errs);
  return errs.map((e) => e.message);
}

test('validation messages', () => {
  assert.deepEqual(errorsOf({ spec: {} }), ['spec.name: Required value']);
  assert.deepEqual(errorsOf({ spec: { name: 'A1234567' } }), [
    'spec.name: Too long: may not be more than 5 bytes',
    `spec.name: Invalid value: "A1234567": spec.name in body should match '^[a-z]+$'`,
  ]);
  assert.deepEqual(errorsOf({ spec: { name: 'ab', port: 1.5 } }), ['spec.port: Invalid value: 1.5: spec.port in body must be of type integer,string: "number"']);
  assert.deepEqual(errorsOf({ spec: { name: 'ab', tags: ['a', 'a', 'b'] } }), ['spec.tags: Too many: 3: must have at most 2 items', 'spec.tags[1]: Duplicate value: "a"']);
  assert.deepEqual(errorsOf({ spec: { name: 'ab', ports: [{ p: 1 }, { p: 1 }] } }), ['spec.ports[1]: Duplicate value: 1']);
  assert.deepEqual(errorsOf({ spec: { name: 'ab', opt: null, port: 'http' } }), []);
  assert.deepEqual(errorsOf({ spec: { name: 7 } }), ['spec.name: Invalid value: "integer": spec.name in body must be of type string: "integer"']);
});

test('pruning and defaulting', () => {
  const obj = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a', foo: 1 }, spec: { name: 'ab', junk: 1, free: { any: { thing: 1 } }, ports: [{ p: 1, q: 2 }] }, other: 1 };
  assert.deepEqual(prune(obj, schema), ['spec.junk', 'spec.ports[0].q', 'other']);
  applySchemaDefaults(obj, schema);
  assert.deepEqual(obj.spec, { name: 'ab', free: { any: { thing: 1 } }, ports: [{ p: 1, proto: 'TCP' }] });
  assert.deepEqual(obj.metadata, { name: 'a', foo: 1 });
});

test('printer JSONPath subset', () => {
  const o = { spec: { a: [{ b: 'x' }], 'k.y': 2 } };
  assert.equal(evalPath(o, '.spec.a[0].b'), 'x');
  assert.equal(evalPath(o, "{.spec['k.y']}"), 2);
  assert.equal(evalPath(o, '.spec.missing.deeper'), undefined);
});
