import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePodSecurityConfig, PodSecurityConfigError } from './config.js';
import { admitPodSecurity, configurePodSecurity } from './admission.js';
import type { AdmissionRequest, Stores } from '../types.js';
import type { Store } from '../../registry/store.js';
import type { KObject } from '../../../api/types.js';
import { builtinResources } from '../../../api/resources.js';
import { StatusError } from '../../../api/errors.js';

const admissionConfig = `
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      enforce: restricted
      enforce-version: v1.31
      warn: restricted
    exemptions:
      usernames: [system:serviceaccount:kube-system:replicaset-controller-ish]
      runtimeClasses: [kata]
      namespaces: [kube-system]
`;

test('configuration: AdmissionConfiguration or bare PodSecurityConfiguration; fields named in errors', () => {
  const c = parsePodSecurityConfig(admissionConfig);
  assert.deepEqual(c.defaults.enforce, { level: 'restricted', version: 'v1.31' });
  assert.deepEqual(c.defaults.audit, { level: 'privileged', version: 'latest' });
  assert.deepEqual(c.exemptions.namespaces, ['kube-system']);
  const bare = parsePodSecurityConfig('apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults: {audit: baseline}\n');
  assert.equal(bare.defaults.audit.level, 'baseline');
  assert.deepEqual(bare.exemptions, { usernames: [], runtimeClasses: [], namespaces: [] });
  assert.throws(() => parsePodSecurityConfig('apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults: {enforce: strict}\n'), /defaults\.enforce: Unsupported value: "strict"/);
  assert.throws(() => parsePodSecurityConfig('apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: [{name: Other}]\n'), /no plugin named "PodSecurity"/);
  assert.throws(() => parsePodSecurityConfig(admissionConfig.replace('v1.31', '"1.31"')), /plugins\[0\]\.configuration\.defaults\.enforce-version: Invalid value: "1\.31"/);
  assert.throws(() => parsePodSecurityConfig('kind: Nope'), PodSecurityConfigError);
});

/** Just enough of the namespaces and pods stores for the plugin. */
function fakeStores(namespaces: KObject[]): Stores {
  const stores = new Map<string, Store>();
  const get = async (_ns: string, name: string) => namespaces.find((n) => n.metadata.name === name);
  stores.set('/namespaces', { tryGet: get, getCached: get } as unknown as Store);
  stores.set('/pods', { list: async () => ({ items: [] }) } as unknown as Store);
  return stores;
}

const podsInfo = builtinResources.find((r) => r.group === '' && r.resource === 'pods')!;
const request = (namespace: string, user: string, spec: Record<string, unknown> = {}): AdmissionRequest => ({
  info: podsInfo,
  operation: 'CREATE',
  obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } },
  subresource: '',
  namespace,
  ctx: { user: { name: user, groups: [] }, dryRun: false, warnings: [], auditAnnotations: {} },
});

test('defaults apply to unlabelled namespaces; labels override them; exemptions skip evaluation with an audit annotation', async () => {
  const stores = fakeStores([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'open', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
  ]);
  configurePodSecurity(stores, parsePodSecurityConfig(admissionConfig));
  await assert.rejects(admitPodSecurity(request('plain', 'alice'), stores), (e: StatusError) => e.code === 403 && /violates PodSecurity "restricted:v1\.31": allowPrivilegeEscalation/.test(e.message));
  const open = request('open', 'alice');
  await admitPodSecurity(open, stores);
  // The label sets enforce only; warn still comes from the defaults.
  assert.match(open.ctx.warnings[0]!, /^would violate PodSecurity "restricted:latest"/);
  for (const [req, why] of [[request('kube-system', 'alice'), 'namespace'], [request('plain', 'system:serviceaccount:kube-system:replicaset-controller-ish'), 'user'], [request('plain', 'alice', { runtimeClassName: 'kata' }), 'runtimeClass']] as const) {
    await admitPodSecurity(req, stores);
    assert.equal(req.ctx.auditAnnotations!['pod-security.kubernetes.io/exempt'], why);
    assert.deepEqual(req.ctx.warnings, []);
  }
});
