// Every type and field of the built-in schemas is documented for `kubectl explain`, each in the
// descriptions file named after its schema file, and every description names a real field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import type { StructDef } from './dsl.js';
import { descriptions, TYPE_KEY } from './descriptions.js';
import * as meta from './meta.js';
import * as corePod from './core-pod.js';
import * as core from './core.js';
import * as apps from './apps.js';
import * as batch from './batch.js';
import * as autoscaling from './autoscaling.js';
import * as networking from './networking.js';
import * as discovery from './discovery.js';
import * as events from './events.js';
import * as coordination from './coordination.js';
import * as storage from './storage.js';
import * as rbac from './rbac.js';
import * as policy from './policy.js';
import * as scheduling from './scheduling.js';
import * as apiextensions from './apiextensions.js';
import * as admissionregistration from './admissionregistration.js';
import * as certificates from './certificates.js';
import * as authorization from './authorization.js';

const files: Record<string, StructDef[]> = {
  meta: meta.defs, 'core-pod': corePod.defs, core: core.defs, apps: apps.defs, batch: batch.defs, autoscaling: autoscaling.defs,
  networking: networking.defs, discovery: discovery.defs, events: events.defs, coordination: coordination.defs, storage: storage.defs,
  rbac: rbac.defs, policy: policy.defs, scheduling: scheduling.defs, apiextensions: apiextensions.defs,
  admissionregistration: admissionregistration.defs, certificates: certificates.defs, authorization: authorization.defs,
};
const dir = new URL('./descriptions/', import.meta.url);
const read = (f: string): Record<string, Record<string, string>> => JSON.parse(readFileSync(new URL(`${f}.json`, dir), 'utf8')) as Record<string, Record<string, string>>;

test('one descriptions file per schema file, and nothing else', () => {
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort(), Object.keys(files).sort());
});

for (const [file, defs] of Object.entries(files)) {
  test(`descriptions/${file}.json documents every type and field of ${file}.ts, and only those`, () => {
    const doc = read(file);
    const byName = new Map(defs.map((d) => [d.name, d]));
    const missing: string[] = [];
    for (const d of defs) {
      const docs = doc[d.name] ?? {};
      if (!d.description && !docs[TYPE_KEY]) missing.push(d.name);
      for (const [field, fd] of Object.entries(d.fields)) if (!fd.description && !docs[field]) missing.push(`${d.name}.${field}`);
    }
    assert.deepEqual(missing, [], `${missing.length} without a description`);
    const unknown: string[] = [];
    for (const [name, fields] of Object.entries(doc)) {
      const d = byName.get(name);
      if (!d) unknown.push(name);
      else for (const k of Object.keys(fields)) if (k !== TYPE_KEY && !(k in d.fields)) unknown.push(`${name}.${k}`);
      for (const [k, text] of Object.entries(fields)) {
        assert.equal(typeof text, 'string', `${name}.${k}`);
        assert.ok(text.trim().length > 0 && text === text.trim(), `${name}.${k}: empty or padded`);
      }
    }
    assert.deepEqual(unknown, [], 'descriptions of types or fields that do not exist');
  });
}

test('the merged map holds each definition once', () => {
  const all = descriptions();
  for (const defs of Object.values(files)) for (const d of defs) if (read(Object.keys(files).find((f) => files[f] === defs)!)[d.name]) assert.ok(all.has(d.name));
});
