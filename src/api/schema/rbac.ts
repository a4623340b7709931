// Schemas of rbac.authorization.k8s.io/v1 (Role, ClusterRole, RoleBinding, ClusterRoleBinding) as
// of Kubernetes v1.32. All lists are atomic upstream.
import { kindFields, list, listOf, ref, str, struct, type StructDef } from './dsl.js';

const RBAC = 'io.k8s.api.rbac.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (kind: string) => ({ group: 'rbac.authorization.k8s.io', version: 'v1', kind });

const binding = (kind: string) =>
  struct(`${RBAC}.${kind}`, { ...kindFields(), subjects: list(ref(`${RBAC}.Subject`)), roleRef: ref(`${RBAC}.RoleRef`) }, {
    required: ['roleRef'],
    gvk: [gvk(kind)],
  });

export const defs: StructDef[] = [
  struct(`${RBAC}.Role`, { ...kindFields(), rules: list(ref(`${RBAC}.PolicyRule`)) }, { gvk: [gvk('Role')] }),
  struct(`${RBAC}.ClusterRole`, {
    ...kindFields(),
    rules: list(ref(`${RBAC}.PolicyRule`)),
    aggregationRule: ref(`${RBAC}.AggregationRule`),
  }, { gvk: [gvk('ClusterRole')] }),
  binding('RoleBinding'),
  binding('ClusterRoleBinding'),
  struct(`${RBAC}.PolicyRule`, {
    verbs: list(str()),
    apiGroups: list(str()),
    resources: list(str()),
    resourceNames: list(str()),
    nonResourceURLs: list(str()),
  }, { required: ['verbs'] }),
  struct(`${RBAC}.AggregationRule`, { clusterRoleSelectors: list(ref(`${META}.LabelSelector`)) }),
  struct(`${RBAC}.Subject`, { kind: str(), apiGroup: str(), name: str(), namespace: str() }, { required: ['kind', 'name'] }),
  struct(`${RBAC}.RoleRef`, { apiGroup: str(), kind: str(), name: str() }, { required: ['apiGroup', 'kind', 'name'] }),
  listOf(`${RBAC}.Role`, `${RBAC}.RoleList`, gvk('RoleList')),
  listOf(`${RBAC}.ClusterRole`, `${RBAC}.ClusterRoleList`, gvk('ClusterRoleList')),
  listOf(`${RBAC}.RoleBinding`, `${RBAC}.RoleBindingList`, gvk('RoleBindingList')),
  listOf(`${RBAC}.ClusterRoleBinding`, `${RBAC}.ClusterRoleBindingList`, gvk('ClusterRoleBindingList')),
];
