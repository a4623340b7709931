// The certificates.k8s.io/v1 tables against the schema DSL: every struct and field has a number,
// numbers are unique per message, and the JSON-shape entries name real fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defs } from '../schema/certificates.js';
import { fields, nullWhenAbsent, omitEmpty } from './fields-certificates.js';

test('every struct and field of certificates.k8s.io/v1 has a unique number', () => {
  for (const d of defs) {
    const table = fields[d.name];
    assert.ok(table, d.name);
    const wire = Object.keys(d.fields).filter((k) => !(d.gvk && (k === 'apiVersion' || k === 'kind')));
    assert.deepEqual(Object.keys(table).sort(), wire.sort(), d.name);
    assert.equal(new Set(Object.values(table)).size, wire.length, `${d.name}: numbers unique`);
  }
  assert.deepEqual(Object.keys(fields).sort(), defs.map((d) => d.name).sort());
});

test('JSON-shape facts name real fields', () => {
  for (const [name, list] of [...Object.entries(omitEmpty), ...Object.entries(nullWhenAbsent)]) {
    const d = defs.find((x) => x.name === name);
    assert.ok(d, name);
    for (const f of list) assert.ok(d.fields[f], `${name}.${f}`);
  }
});
