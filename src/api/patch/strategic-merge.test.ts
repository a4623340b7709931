import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { schemas, structOf } from '../schema/index.js';
import { applyStrategicMergePatch } from './strategic-merge.js';
import { DEPLOYMENT, fixtureResolve } from './fixture-schemas.js';

const smp = (doc: unknown, patch: unknown): unknown => applyStrategicMergePatch(doc, patch, DEPLOYMENT, fixtureResolve);

/** The value at a dotted path (`spec.template.spec.containers.0.env`); list indices are numbers. */
function at(v: unknown, path: string): unknown {
  let cur = v;
  for (const k of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur;
}
const names = (v: unknown): unknown[] => (v as { name: unknown }[]).map((e) => e.name);
const has = (v: unknown, path: string, key: string): boolean => Object.prototype.hasOwnProperty.call(at(v, path), key);

function fails(doc: unknown, patch: unknown, code: number, message: string | RegExp): void {
  assert.throws(
    () => smp(doc, patch),
    (e: unknown) => {
      assert.ok(e instanceof StatusError, `expected StatusError, got ${String(e)}`);
      assert.equal(e.code, code);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

/** A live Deployment as the server holds it after a first `kubectl apply`: defaults filled in. */
function live() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web', namespace: 'default', generation: 1, labels: { app: 'web' },
      annotations: { 'deployment.kubernetes.io/revision': '1', 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' },
      finalizers: ['a.example/x', 'b.example/y'],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
              resources: { limits: { cpu: '500m' } },
            },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          terminationGracePeriodSeconds: 30,
          tolerations: [{ key: 'k1', operator: 'Exists' }],
        },
      },
    },
    status: { replicas: 2 },
  };
}

test('kubectl apply: change env, drop a port, add a label (patch as kubectl computes it)', () => {
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}\n' }, labels: { tier: 'front' } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }],
          containers: [
            {
              '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }],
              '$setElementOrder/ports': [{ containerPort: 80 }],
              env: [{ name: 'A', value: '10' }, { name: 'C', value: '3' }, { name: 'B', $patch: 'delete' }],
              name: 'web',
              ports: [{ $patch: 'delete', containerPort: 443 }],
            },
          ],
        },
      },
    },
  };
  const want = live();
  want.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = '{"new":true}\n';
  Object.assign(want.metadata.labels, { tier: 'front' });
  const c = want.spec.template.spec.containers[0]!;
  c.env = [{ name: 'A', value: '10' }, { name: 'C', value: '3' }];
  c.ports = [{ containerPort: 80, protocol: 'TCP' }];
  assert.deepEqual(smp(live(), patch), want);
});

test('kubectl apply: removed fields arrive as null and are deleted', () => {
  const out = smp(live(), {
    metadata: { labels: { app: null } },
    spec: { template: { spec: { terminationGracePeriodSeconds: null, tolerations: null } } },
  });
  assert.deepEqual(at(out, 'metadata.labels'), {});
  assert.equal(has(out, 'spec.template.spec', 'terminationGracePeriodSeconds'), false);
  assert.equal(has(out, 'spec.template.spec', 'tolerations'), false);
});

test('$setElementOrder keeps server-only items where the live list had them', () => {
  const doc = live();
  doc.spec.template.spec.containers[0]!.env = [{ name: 'A', value: '1' }, { name: 'X', value: 'server' }, { name: 'B', value: '2' }];
  const out = smp(doc, {
    spec: { template: { spec: { containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }, { name: 'C' }], env: [{ name: 'C', value: '3' }] }] } } },
  });
  // B, A, C follow the directive; the server-only X goes before B, which it preceded in the live list.
  assert.deepEqual(names(at(out, 'spec.template.spec.containers.0.env')), ['X', 'B', 'A', 'C']);
});

test('$setElementOrder after a deletion places a new item before a server-only one (upstream merge order)', () => {
  const doc = live();
  doc.spec.template.spec.containers[0]!.env = [{ name: 'A', value: '1' }, { name: 'X', value: 'server' }, { name: 'B', value: '2' }];
  const out = smp(doc, {
    spec: { template: { spec: { containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }], env: [{ name: 'C', value: '3' }, { name: 'B', $patch: 'delete' }] }] } } },
  });
  assert.deepEqual(names(at(out, 'spec.template.spec.containers.0.env')), ['A', 'C', 'X']);
});

test('$setElementOrder alone reorders without changing contents', () => {
  const doc = live();
  const out = smp(doc, { spec: { template: { spec: { containers: [{ name: 'web', '$setElementOrder/ports': [{ containerPort: 443 }, { containerPort: 80 }] }] } } } });
  assert.deepEqual(at(out, 'spec.template.spec.containers.0.ports'), [{ containerPort: 443, protocol: 'TCP' }, { containerPort: 80, protocol: 'TCP' }]);
});

test('without $setElementOrder new items go before the live items (kubectl patch)', () => {
  const out = smp(live(), { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } } });
  assert.deepEqual(names(at(out, 'spec.template.spec.containers')), ['sidecar', 'web']);
  assert.equal(at(out, 'spec.template.spec.containers.1.image'), 'nginx:1.25');
});

test('merging an existing item keeps fields the patch does not name', () => {
  const out = smp(live(), { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { limits: { memory: '1Gi' } } }] } } } });
  const c = at(out, 'spec.template.spec.containers.0');
  assert.equal(at(c, 'image'), 'nginx:1.27');
  assert.equal(at(c, 'imagePullPolicy'), 'IfNotPresent');
  assert.deepEqual(at(c, 'resources'), { limits: { cpu: '500m', memory: '1Gi' } });
  assert.deepEqual(names(at(c, 'env')), ['A', 'B']);
});

test('primitive merge lists are sets; $deleteFromPrimitiveList removes values', () => {
  const out = smp(live(), {
    metadata: { '$setElementOrder/finalizers': ['b.example/y', 'c.example/z'], '$deleteFromPrimitiveList/finalizers': ['a.example/x'], finalizers: ['c.example/z'] },
  });
  assert.deepEqual(at(out, 'metadata.finalizers'), ['b.example/y', 'c.example/z']);
  // Without $setElementOrder: values already live keep their place, new ones go before them.
  assert.deepEqual(at(smp(live(), { metadata: { finalizers: ['b.example/y', 'new'] } }), 'metadata.finalizers'), ['a.example/x', 'b.example/y', 'new']);
  assert.deepEqual(at(smp(live(), { metadata: { finalizers: ['new'] } }), 'metadata.finalizers'), ['new', 'a.example/x', 'b.example/y']);
});

test('lists without a merge strategy are replaced', () => {
  const out = smp(live(), { spec: { template: { spec: { tolerations: [{ key: 'k2', operator: 'Equal', value: 'v' }], containers: [{ name: 'web', args: ['--x'] }] } } } });
  assert.deepEqual(at(out, 'spec.template.spec.tolerations'), [{ key: 'k2', operator: 'Equal', value: 'v' }]);
  assert.deepEqual(at(out, 'spec.template.spec.containers.0.args'), ['--x']);
});

test('$retainKeys: switching the Deployment strategy drops rollingUpdate', () => {
  const out = smp(live(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } });
  assert.deepEqual(at(out, 'spec.strategy'), { type: 'Recreate' });
});

test('$retainKeys: switching a volume source', () => {
  const out = smp(live(), {
    spec: { template: { spec: { '$setElementOrder/volumes': [{ name: 'data' }], volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, name: 'data' }] } } },
  });
  assert.deepEqual(at(out, 'spec.template.spec.volumes'), [{ name: 'data', configMap: { name: 'cfg' } }]);
});

test('$retainKeys errors', () => {
  fails(live(), { spec: { strategy: { $retainKeys: 'type' } } }, 400, 'invalid patch format of retainKeys');
  fails(live(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } }, 400, 'invalid patch format of retainKeys');
});

test('$patch: replace and delete in maps', () => {
  const out = smp(live(), { spec: { template: { metadata: { labels: { $patch: 'replace', x: 'y' } } }, strategy: { $patch: 'delete' } } });
  assert.deepEqual(at(out, 'spec.template.metadata.labels'), { x: 'y' });
  assert.deepEqual(at(out, 'spec.strategy'), {});
});

test('$patch: replace and delete in lists of maps', () => {
  const replaced = smp(live(), { spec: { template: { spec: { containers: [{ name: 'only', image: 'i' }, { $patch: 'replace' }] } } } });
  assert.deepEqual(at(replaced, 'spec.template.spec.containers'), [{ name: 'only', image: 'i' }]);
  const deleted = smp(live(), { spec: { template: { spec: { volumes: [{ name: 'data', $patch: 'delete' }] } } } });
  assert.deepEqual(at(deleted, 'spec.template.spec.volumes'), []);
});

test('values new to the document lose their directives and nulls', () => {
  const doc = live();
  Reflect.deleteProperty(doc.spec.template.spec, 'volumes');
  const out = smp(doc, {
    spec: { template: { spec: { initContainers: [{ name: 'init', image: 'x', env: null }, { name: 'gone', $patch: 'delete' }], nodeSelector: { a: '1', b: null }, volumes: [{ name: 'v', emptyDir: {} }] } } },
  });
  assert.deepEqual(at(out, 'spec.template.spec.initContainers'), [{ name: 'init', image: 'x' }]);
  assert.deepEqual(at(out, 'spec.template.spec.nodeSelector'), { a: '1' });
  assert.deepEqual(at(out, 'spec.template.spec.volumes'), [{ name: 'v', emptyDir: {} }]);
});

test('fields the schema does not describe merge like JSON merge patch', () => {
  const doc = live();
  Object.assign(doc.spec, { extra: { a: { c: 2, d: [1, 2] }, e: 1 } });
  Object.assign(doc.spec.template.spec.containers[0]!.env[0]!, { valueFrom: { fieldRef: { fieldPath: 'x', apiVersion: 'v1' } } });
  const out = smp(doc, {
    spec: {
      extra: { a: { b: 1, d: [3] }, e: null },
      template: { spec: { containers: [{ name: 'web', env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'y' } } }] }] } },
    },
  });
  assert.deepEqual(at(out, 'spec.extra'), { a: { c: 2, d: [3], b: 1 } });
  assert.deepEqual(at(out, 'spec.template.spec.containers.0.env.0.valueFrom'), { fieldRef: { fieldPath: 'y', apiVersion: 'v1' } });
});

test('a value of another type replaces the live one (type errors are left to decoding)', () => {
  const out = smp(live(), { metadata: { labels: ['a'] }, spec: { replicas: 'three' } });
  assert.deepEqual(at(out, 'metadata.labels'), ['a']);
  assert.equal(at(out, 'spec.replicas'), 'three');
});

test('malformed patches are StatusErrors with upstream wording', () => {
  fails(live(), { spec: { strategy: { $patch: 'frob' } } }, 400, 'unknown patch type: frob in map: map[$patch:frob]');
  fails(live(), { spec: { template: { spec: { containers: [{ name: 'web', $patch: 'merge' }] } } } }, 400, 'merging lists cannot yet be specified in the patch');
  fails(live(), { spec: { template: { spec: { containers: [{ name: 'web', $patch: 'bogus' }] } } } }, 400, /^unknown patch type: bogus in map: map\[\$patch:bogus name:web\]$/);
  fails(live(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 400, 'map: map[image:x] does not contain declared merge key: name');
  fails(live(), { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } }, 400, /does not contain declared merge key: name/);
  fails(live(), { spec: { template: { spec: { '$setElementOrder/containers': 'web' } } } }, 400, 'expected a []interface {}, but received a string');
  fails(live(), { spec: { template: { spec: { $setElementOrder: [] } } } }, 400, 'invalid patch format of setElementOrder list');
  fails(live(), { spec: { template: { spec: { containers: ['web'] } } } }, 400, /list element types are not identical/);
  const noFinalizers = live();
  noFinalizers.metadata.finalizers = [];
  fails(noFinalizers, { metadata: { finalizers: [['x']] } }, 422, 'the server rejected our request due to an error in our request');
  fails(live(), [{ op: 'add' }], 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  fails(live(), {
    spec: { template: { spec: { containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'A' }], env: [{ name: 'Z', value: 'z' }] }] } } },
  }, 400, /doesn't match \$setElementOrder list/);
});

test('a null patch changes nothing; inputs are never changed', () => {
  assert.deepEqual(smp(live(), null), live());
  const doc = live();
  const patch = {
    metadata: { labels: { app: null } },
    spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' }, template: { spec: { containers: [{ name: 'web', env: [{ name: 'B', $patch: 'delete' }, { name: 'N', value: 'n' }] }, { name: 'new', env: [{ name: 'x', value: null }] }] } } },
  };
  const before = JSON.stringify([doc, patch]);
  const out = smp(doc, patch);
  (at(out, 'spec.template.spec.containers.0.env') as unknown[]).push({ name: 'mutated' });
  for (const c of at(out, 'spec.template.spec.containers') as Record<string, unknown>[]) c.image = 'mutated';
  assert.equal(JSON.stringify([doc, patch]), before);
});

test('real registry: kubectl apply patch on apps/v1 Deployment', (t) => {
  const needed = ['io.k8s.api.apps.v1.Deployment', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.api.core.v1.Container', 'io.k8s.api.core.v1.EnvVar'];
  const missing = needed.filter((n) => !schemas.has(n));
  if (missing.length) {
    t.skip(`real schemas not filled in yet: ${missing.join(', ')}`);
    return;
  }
  const out = applyStrategicMergePatch(live(), {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ '$setElementOrder/env': [{ name: 'A' }], env: [{ name: 'B', $patch: 'delete' }], name: 'web' }] } } },
  }, 'io.k8s.api.apps.v1.Deployment', structOf);
  assert.deepEqual(at(out, 'spec.template.spec.containers.0.env'), [{ name: 'A', value: '1' }]);
  assert.equal(at(out, 'spec.template.spec.containers.0.image'), 'nginx:1.25');
});

test('arbitrary patches give a result or a StatusError, never a crash', () => {
  // Seeded generator of patches mixing schema field names, directives and values of every kind.
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed >>> 8) % n; // the low bits of this generator cycle quickly
  };
  const keys = ['metadata', 'labels', 'finalizers', 'spec', 'template', 'containers', 'env', 'ports', 'name', 'containerPort', 'value', 'strategy', 'volumes', 'tolerations',
    '$patch', '$retainKeys', '$setElementOrder/containers', '$setElementOrder/env', '$deleteFromPrimitiveList/finalizers', '$setElementOrder', 'x'];
  const scalars: unknown[] = [null, 'replace', 'delete', 'merge', 'web', 'A', 80, 1.5, true, 'name'];
  const gen = (depth: number): unknown => {
    const r = rnd(depth > 3 ? 2 : 4);
    if (r < 2) return scalars[rnd(scalars.length)];
    if (r === 2) return Array.from({ length: rnd(3) }, () => gen(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = rnd(4); i > 0; i--) o[keys[rnd(keys.length)]!] = gen(depth + 1);
    return o;
  };
  let applied = 0;
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const patch = { spec: { template: { spec: gen(0) } }, metadata: gen(1) };
    try {
      smp(live(), patch);
      applied++;
    } catch (e) {
      assert.ok(e instanceof StatusError && (e.code === 400 || e.code === 422), `patch ${JSON.stringify(patch)} threw ${String(e)}`);
      refused++;
    }
  }
  assert.ok(applied > 100 && refused > 100, `applied ${applied}, refused ${refused}`);
});
