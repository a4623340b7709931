import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staticPodFromManifest, MIRROR_ANNOTATION } from './static-pods.js';

test('a manifest becomes a mirror pod bound to the node, named <name>-<node>', () => {
  const s = staticPodFromManifest('/m/web.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: i}]}\n', 'n1', 'uid-1');
  assert.equal(s.pod.metadata.name, 'web-n1');
  assert.equal(s.pod.metadata.namespace, 'default');
  assert.equal((s.pod.spec as { nodeName: string }).nodeName, 'n1');
  assert.equal(s.pod.metadata.annotations?.[MIRROR_ANNOTATION], s.hash);
  assert.equal(s.pod.metadata.annotations?.['kubernetes.io/config.source'], 'file');
  assert.deepEqual(s.pod.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'uid-1', controller: true }]);
  const edited = staticPodFromManifest('/m/web.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: j}]}\n', 'n1');
  assert.notEqual(edited.hash, s.hash);
});

test('bad manifests are refused with the file named', () => {
  assert.throws(() => staticPodFromManifest('/m/a.yaml', 'kind: [', 'n1'), /\/m\/a.yaml: invalid YAML/);
  assert.throws(() => staticPodFromManifest('/m/b.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n', 'n1'), /single v1 Pod/);
  assert.throws(() => staticPodFromManifest('/m/c.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {}\n', 'n1'), /metadata.name is required/);
});
