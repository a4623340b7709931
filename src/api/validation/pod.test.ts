import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { invalid } from '../errors.js';
import type { KObject } from '../types.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

const msgs = (errs: FieldError[]): string[] => errs.map((e) => e.message);

function pod(spec: Record<string, unknown>): KObject {
  const p: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec };
  applyDefaults('', 'Pod', p);
  return p;
}
const create = (spec: Record<string, unknown>): string[] => msgs(validateCreate('', 'Pod', pod(spec)));

test('a defaulted minimal pod is valid', () => {
  assert.deepEqual(create({ containers: [{ name: 'web', image: 'nginx' }] }), []);
});

test('containers and images are required', () => {
  assert.deepEqual(create({ containers: [] }), ['spec.containers: Required value']);
  assert.deepEqual(create({ containers: [{ name: 'web' }] }), ['spec.containers[0].image: Required value']);
  assert.deepEqual(create({ containers: [{ image: 'nginx' }] }), ['spec.containers[0].name: Required value']);
});

test('container names are DNS labels, unique across init and app containers', () => {
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'x' }] }), ['spec.containers[1].name: Duplicate value: "a"']);
  assert.deepEqual(create({ initContainers: [{ name: 'a', image: 'x' }], containers: [{ name: 'a', image: 'x' }] }), ['spec.initContainers[0].name: Duplicate value: "a"']);
  assert.match(create({ containers: [{ name: 'Web', image: 'x' }] })[0]!, /^spec\.containers\[0\]\.name: Invalid value: "Web": a lowercase RFC 1123 label must/);
});

test('ports: range, names, protocols', () => {
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] }), ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']);
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, protocol: 'HTTP' }] }] }), ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']);
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 81, name: 'http' }] }] }), ['spec.containers[0].ports[1].name: Duplicate value: "http"']);
});

test('restart and DNS policies', () => {
  assert.deepEqual(create({ restartPolicy: 'Sometimes', containers: [{ name: 'a', image: 'x' }] }), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']);
  assert.deepEqual(create({ dnsPolicy: 'Bogus', containers: [{ name: 'a', image: 'x' }] }), ['spec.dnsPolicy: Unsupported value: "Bogus": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"']);
});

test('volumes: unique names, one source, mounts must reference a volume', () => {
  assert.deepEqual(create({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }], containers: [{ name: 'a', image: 'x' }] }), ['spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type']);
  assert.deepEqual(create({ volumes: [{ name: 'v' }, { name: 'v' }], containers: [{ name: 'a', image: 'x' }] }), ['spec.volumes[1].name: Duplicate value: "v"']);
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] }), ['spec.containers[0].volumeMounts[0].name: Not found: "data"']);
  assert.deepEqual(create({ volumes: [{ name: 's', secret: {} }], containers: [{ name: 'a', image: 'x' }] }), ['spec.volumes[0].secret.secretName: Required value']);
});

test('resources: requests may not exceed limits', () => {
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }), ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']);
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', resources: { requests: { memory: '512Mi' }, limits: { memory: '1Gi' } } }] }), []);
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', resources: { limits: { gpu: '1' } } }] }), ['spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers', 'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers']);
});

test('env names and valueFrom', () => {
  assert.match(create({ containers: [{ name: 'a', image: 'x', env: [{ name: '1BAD' }] }] })[0]!, /^spec\.containers\[0\]\.env\[0\]\.name: Invalid value: "1BAD": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '\.', and must not start with a digit/);
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: 'v', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] }), ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty']);
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] }] }), ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.bogus": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"']);
});

test('probes', () => {
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', livenessProbe: { periodSeconds: -1, exec: { command: ['true'] } } }] }), ['spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', livenessProbe: { successThreshold: 2, tcpSocket: { port: 80 } } }] }), ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']);
  assert.deepEqual(create({ containers: [{ name: 'a', image: 'x', readinessProbe: {} }] }), ['spec.containers[0].readinessProbe: Required value: must specify a handler type']);
});

test('tolerations', () => {
  assert.deepEqual(create({ tolerations: [{ operator: 'Equal', value: 'x' }], containers: [{ name: 'a', image: 'x' }] }), ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"']);
  assert.deepEqual(create({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }], containers: [{ name: 'a', image: 'x' }] }), ["spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"]);
});

test('the whole message as kubectl shows it', () => {
  const err = invalid('', 'Pod', 'web', validateCreate('', 'Pod', pod({ containers: [{ name: 'web' }] })));
  assert.equal(err.message, 'Pod "web" is invalid: spec.containers[0].image: Required value');
});

test('pod updates: images, added tolerations and activeDeadlineSeconds may change; nothing else', () => {
  const old = pod({ containers: [{ name: 'web', image: 'nginx:1' }], tolerations: [{ key: 'a', operator: 'Exists' }] });
  old.metadata.resourceVersion = '1';
  const image = structuredClone(old);
  (image.spec as { containers: { image: string }[] }).containers[0]!.image = 'nginx:2';
  (image.spec as Record<string, unknown>).tolerations = [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }];
  (image.spec as Record<string, unknown>).activeDeadlineSeconds = 30;
  image.metadata.labels = { changed: 'yes' };
  assert.deepEqual(msgs(validateUpdate('', 'Pod', image, old)), []);

  const ports = structuredClone(old);
  (ports.spec as { containers: Record<string, unknown>[] }).containers[0]!.ports = [{ containerPort: 80, protocol: 'TCP' }];
  const [err, ...rest] = msgs(validateUpdate('', 'Pod', ports, old));
  assert.equal(rest.length, 0);
  assert.ok(err!.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'));
  assert.match(err!, /spec\.containers\[0\]\.ports/);

  const removed = structuredClone(old);
  (removed.spec as Record<string, unknown>).tolerations = [];
  assert.deepEqual(msgs(validateUpdate('', 'Pod', removed, old)), ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
});
