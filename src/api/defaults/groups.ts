// Defaults for the non-core API groups other than workloads (upstream autoscaling/v1+v2,
// networking/v1, discovery/v1, rbac/v1, scheduling/v1 and storage/v1 defaults.go).
import type { KObject } from '../types.js';
import { child, ensure, isUnset, items, setDefault, setDefaultString, type Obj } from './util.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** HPA defaults in the served form: v1 (minReplicas only) or v2 (plus cpu metric and behavior). */
export function defaultHPA(hpa: KObject): void {
  const spec = ensure(hpa, 'spec');
  setDefault(spec, 'minReplicas', 1);
  if (hpa.apiVersion === 'autoscaling/v1') return;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  const behavior = child(spec, 'behavior');
  if (!behavior) return;
  // A given behavior has its unset parts filled with the controller's historical defaults.
  const scaleUp = ensure(behavior, 'scaleUp');
  setDefault(scaleUp, 'stabilizationWindowSeconds', 0);
  setDefault(scaleUp, 'selectPolicy', 'Max');
  setDefault(scaleUp, 'policies', [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }]);
  const scaleDown = ensure(behavior, 'scaleDown');
  setDefault(scaleDown, 'selectPolicy', 'Max');
  setDefault(scaleDown, 'policies', [{ type: 'Percent', value: 100, periodSeconds: 15 }]);
}

/** Ports default to TCP; a policy without policyTypes is Ingress, plus Egress if it has egress rules. */
export function defaultNetworkPolicy(np: KObject): void {
  const spec = ensure(np, 'spec');
  for (const rule of [...items(spec, 'ingress'), ...items(spec, 'egress')]) for (const port of items(rule, 'ports')) setDefault(port, 'protocol', 'TCP');
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

export function defaultEndpointSlice(es: KObject): void {
  for (const port of items(es, 'ports')) {
    setDefault(port, 'name', '');
    setDefault(port, 'protocol', 'TCP');
  }
}

function defaultSubjects(o: Obj): void {
  for (const s of items(o, 'subjects')) {
    if (!isUnset(s.apiGroup) && s.apiGroup !== '') continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
    else if (s.kind === 'ServiceAccount') s.apiGroup = '';
  }
}

export function defaultRoleBinding(rb: KObject): void {
  setDefaultString(ensure(rb, 'roleRef'), 'apiGroup', RBAC_GROUP);
  defaultSubjects(rb);
}

export function defaultPriorityClass(pc: KObject): void {
  setDefault(pc, 'preemptionPolicy', 'PreemptLowerPriority');
}

export function defaultStorageClass(sc: KObject): void {
  setDefault(sc, 'reclaimPolicy', 'Delete');
  setDefault(sc, 'volumeBindingMode', 'Immediate');
}
