import { test } from 'node:test';
import assert from 'node:assert/strict';
import { horizontalPodAutoscalerPrinter } from './autoscaling.js';
import { leasePrinter, podDisruptionBudgetPrinter, priorityClassPrinter } from './cluster-policy.js';
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from './networking.js';
import { roleBindingPrinter } from './rbac.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const metadata = { name: 'n', creationTimestamp: '2024-05-01T11:59:50Z' };

test('ingresses: class, hosts, address and ports', () => {
  const ing = { metadata, spec: { ingressClassName: 'traefik', rules: [{ host: 'a.example' }, { host: 'b.example' }, {}, { host: 'c.example' }, { host: 'd.example' }], tls: [{ hosts: ['a.example'] }] }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.9' }] } } };
  assert.deepEqual(ingressPrinter.row(ing, now), ['n', 'traefik', 'a.example,b.example,c.example + 2 more...', '10.0.0.9', '80, 443', '10s']);
  assert.deepEqual(ingressPrinter.row({ metadata, spec: {} }, now), ['n', '<none>', '*', '', '80', '10s']);
  assert.deepEqual(ingressClassPrinter.row({ metadata, spec: { controller: 'traefik.io/ingress-controller', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }, now), ['n', 'traefik.io/ingress-controller', 'IngressParameters.k8s.example.com/p', '10s']);
});

test('network policies and endpoint slices', () => {
  assert.deepEqual(networkPolicyPrinter.row({ metadata, spec: { podSelector: {} } }, now), ['n', '<none>', '10s']);
  assert.deepEqual(networkPolicyPrinter.row({ metadata, spec: { podSelector: { matchLabels: { role: 'db' } } } }, now)[1], 'role=db');
  const slice = { metadata, addressType: 'IPv4', ports: [{ port: 80 }, { name: 'metrics' }, {}], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3', '10.0.0.4'] }] };
  assert.deepEqual(endpointSlicePrinter.row(slice, now), ['n', 'IPv4', '80,metrics,*', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '10s']);
  assert.deepEqual(endpointSlicePrinter.row({ metadata, addressType: 'IPv4' }, now).slice(2, 4), ['<unset>', '<unset>']);
});

test('horizontal pod autoscalers, v2 and v1 shapes', () => {
  const v2 = {
    metadata,
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }, { type: 'Pods', pods: { target: { averageValue: '1k' } } }, { type: 'Resource', resource: { name: 'memory', target: { averageValue: '100Mi' } } }] },
    status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }] },
  };
  assert.deepEqual(horizontalPodAutoscalerPrinter.row(v2, now), ['n', 'Deployment/web', 'cpu: 40%/80%, <unknown>/1k + 1 more...', '1', 5, 2, '10s']);
  const v1 = { metadata, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 1 } };
  assert.deepEqual(horizontalPodAutoscalerPrinter.row(v1, now).slice(2, 4), ['cpu: <unknown>/50%', '<unset>']);
  assert.equal(horizontalPodAutoscalerPrinter.row({ metadata, spec: {} }, now)[2], '<none>');
});

test('bindings, disruption budgets, priority classes and leases', () => {
  const rb = { metadata, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', namespace: 'ci', name: 'bot' }, { kind: 'User', name: 'bob' }] };
  assert.deepEqual(roleBindingPrinter.row(rb, now), ['n', 'ClusterRole/view', '10s', 'alice, bob', 'devs', 'ci/bot']);
  assert.deepEqual(podDisruptionBudgetPrinter.row({ metadata, spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }, now), ['n', '50%', 'N/A', 1, '10s']);
  assert.deepEqual(podDisruptionBudgetPrinter.row({ metadata, spec: { maxUnavailable: 1 } }, now).slice(1, 3), ['N/A', '1']);
  assert.deepEqual(priorityClassPrinter.row({ metadata, value: 2000000000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' }, now), ['n', 2000000000, false, '10s', 'PreemptLowerPriority']);
  assert.deepEqual(leasePrinter.row({ metadata, spec: { holderIdentity: 'node-a' } }, now), ['n', 'node-a', '10s']);
});
