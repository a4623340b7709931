// The default RBAC policy as API objects, labelled and annotated as upstream's bootstrap policy
// (kubernetes.io/bootstrapping: rbac-defaults, rbac.authorization.kubernetes.io/autoupdate: "true").
import type { KObject } from '../../../api/types.js';
import { upstreamClusterRoles, type ClusterRoleDef } from './cluster-roles.js';
import { ktsClusterRoles, ktsSystemRoles } from './kts-roles.js';
import { clusterRoleBindings, systemRoleBindings, type BindingDef } from './bindings.js';

export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
const GROUP = 'rbac.authorization.k8s.io';
const API_VERSION = `${GROUP}/v1`;
export const AGGREGATE_LABEL_PREFIX = 'rbac.authorization.k8s.io/aggregate-to-';

export interface DefaultPolicy {
  clusterRoles: KObject[];
  clusterRoleBindings: KObject[];
  /** Namespaced roles and bindings, all in kube-system. */
  roles: KObject[];
  roleBindings: KObject[];
}

function meta(name: string, namespace?: string, labels: Record<string, string> = {}) {
  return { name, ...(namespace ? { namespace } : {}), labels: { [BOOTSTRAP_LABEL]: 'rbac-defaults', ...labels }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } };
}

function clusterRole(d: ClusterRoleDef): KObject {
  const labels = Object.fromEntries((d.aggregateTo ?? []).map((t) => [`${AGGREGATE_LABEL_PREFIX}${t}`, 'true']));
  const obj: KObject = { apiVersion: API_VERSION, kind: 'ClusterRole', metadata: meta(d.name, undefined, labels), rules: d.rules ?? [] };
  if (d.aggregateFrom) obj.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [`${AGGREGATE_LABEL_PREFIX}${d.aggregateFrom}`]: 'true' } }] };
  return obj;
}

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', d: BindingDef, namespace?: string): KObject {
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: meta(d.name, namespace),
    roleRef: { apiGroup: GROUP, kind: kind === 'ClusterRoleBinding' ? 'ClusterRole' : 'Role', name: d.role },
    subjects: d.subjects.map((s) => (s.kind === 'ServiceAccount' ? { kind: s.kind, name: s.name, namespace: s.namespace } : { kind: s.kind, apiGroup: GROUP, name: s.name })),
  };
}

export function defaultPolicy(): DefaultPolicy {
  return {
    clusterRoles: [...upstreamClusterRoles, ...ktsClusterRoles].map(clusterRole),
    clusterRoleBindings: clusterRoleBindings.map((b) => binding('ClusterRoleBinding', b)),
    roles: ktsSystemRoles.map((r) => ({ apiVersion: API_VERSION, kind: 'Role', metadata: meta(r.name, 'kube-system'), rules: r.rules })),
    roleBindings: systemRoleBindings.map((b) => binding('RoleBinding', b, 'kube-system')),
  };
}
