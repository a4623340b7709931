import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

const msgs = (errs: FieldError[]): string[] => errs.map((e) => e.message);
function svc(spec: Record<string, unknown>): KObject {
  const s: KObject = { metadata: { name: 'web', namespace: 'default' }, spec };
  applyDefaults('', 'Service', s);
  return s;
}
const create = (spec: Record<string, unknown>): string[] => msgs(validateCreate('', 'Service', svc(spec)));

test('valid services', () => {
  assert.deepEqual(create({ selector: { app: 'web' }, ports: [{ port: 80 }] }), []);
  assert.deepEqual(create({ clusterIP: 'None', selector: { app: 'web' } }), []);
  assert.deepEqual(create({ type: 'ExternalName', externalName: 'db.example.com.' }), []);
  assert.deepEqual(create({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), []);
});

test('ports', () => {
  assert.deepEqual(create({}), ['spec.ports: Required value']);
  // The defaulted targetPort copies the bad port, so upstream reports both.
  assert.deepEqual(create({ ports: [{ port: 0 }] }), ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive']);
  assert.deepEqual(create({ ports: [{ port: 80 }, { port: 81 }] }), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  assert.deepEqual(create({ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }), ['spec.ports[1].name: Duplicate value: "a"']);
  assert.deepEqual(create({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }), [
    'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  ]);
  assert.deepEqual(create({ ports: [{ port: 80, nodePort: 30080 }] }), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
});

test('types and cluster IPs', () => {
  assert.deepEqual(create({ type: 'Magic', ports: [{ port: 80 }] }), ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']);
  assert.deepEqual(create({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] }), ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for NodePort services']);
  assert.deepEqual(create({ type: 'ExternalName' }), ['spec.externalName: Required value']);
  assert.deepEqual(create({ clusterIP: '10.0.0.300', ports: [{ port: 80 }] }), ['spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  assert.deepEqual(create({ externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }), ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services']);
});

test('cluster IP may not change once set', () => {
  const old = svc({ clusterIP: '10.96.0.10', ports: [{ port: 80 }] });
  const next = svc({ clusterIP: '10.96.0.11', ports: [{ port: 80 }] });
  assert.deepEqual(msgs(validateUpdate('', 'Service', next, old)), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
  const omitted = svc({ ports: [{ port: 8080 }] });
  assert.deepEqual(msgs(validateUpdate('', 'Service', omitted, old)), []);
});
