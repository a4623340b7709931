// The built-in resources kts serves: names, scope, short names, categories and subresources,
// as upstream's discovery documents them.

export interface ResourceVersion {
  version: string;
  /** OpenAPI definition name of the kind in this version. */
  schema: string;
}

export interface ResourceInfo {
  group: string;
  /** Served versions, preferred first. The first is the storage version. */
  versions: ResourceVersion[];
  kind: string;
  /** Plural, lower-case resource name: `deployments`. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources beyond the object itself: status, scale, binding, eviction, log, exec, ... */
  subresources?: string[];
  /** Verbs; default: the full set. */
  verbs?: string[];
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const core = (r: Omit<ResourceInfo, 'group' | 'versions'> & { schema?: string }): ResourceInfo => ({
  group: '',
  versions: [{ version: 'v1', schema: r.schema ?? `io.k8s.api.core.v1.${r.kind}` }],
  ...stripSchema(r),
});

function stripSchema<T extends { schema?: string }>(r: T): Omit<T, 'schema'> {
  const { schema: _schema, ...rest } = r;
  return rest;
}

const grp = (group: string, versions: string[], pkg: string, r: Omit<ResourceInfo, 'group' | 'versions'>): ResourceInfo => ({
  group,
  versions: versions.map((v) => ({ version: v, schema: `io.k8s.api.${pkg}.${v}.${r.kind}` })),
  ...r,
});

export const builtinResources: ResourceInfo[] = [
  core({ kind: 'Namespace', resource: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'], subresources: ['status', 'finalize'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  core({ kind: 'Node', resource: 'nodes', singular: 'node', namespaced: false, shortNames: ['no'], subresources: ['status', 'proxy'] }),
  core({ kind: 'Pod', resource: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers', 'resize'] }),
  core({ kind: 'Service', resource: 'services', singular: 'service', namespaced: true, shortNames: ['svc'], categories: ['all'], subresources: ['status', 'proxy'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] }),
  core({ kind: 'Endpoints', resource: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'] }),
  core({ kind: 'ConfigMap', resource: 'configmaps', singular: 'configmap', namespaced: true, shortNames: ['cm'] }),
  core({ kind: 'Secret', resource: 'secrets', singular: 'secret', namespaced: true }),
  core({ kind: 'ServiceAccount', resource: 'serviceaccounts', singular: 'serviceaccount', namespaced: true, shortNames: ['sa'], subresources: ['token'] }),
  core({ kind: 'Event', resource: 'events', singular: 'event', namespaced: true, shortNames: ['ev'] }),
  core({ kind: 'ReplicationController', resource: 'replicationcontrollers', singular: 'replicationcontroller', namespaced: true, shortNames: ['rc'], categories: ['all'], subresources: ['status', 'scale'] }),
  core({ kind: 'ResourceQuota', resource: 'resourcequotas', singular: 'resourcequota', namespaced: true, shortNames: ['quota'], subresources: ['status'] }),
  core({ kind: 'LimitRange', resource: 'limitranges', singular: 'limitrange', namespaced: true, shortNames: ['limits'] }),
  core({ kind: 'PersistentVolume', resource: 'persistentvolumes', singular: 'persistentvolume', namespaced: false, shortNames: ['pv'], subresources: ['status'] }),
  core({ kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', namespaced: true, shortNames: ['pvc'], subresources: ['status'] }),
  core({ kind: 'PodTemplate', resource: 'podtemplates', singular: 'podtemplate', namespaced: true }),
  core({ kind: 'ComponentStatus', resource: 'componentstatuses', singular: 'componentstatus', namespaced: false, shortNames: ['cs'], verbs: ['get', 'list'] }),

  grp('apps', ['v1'], 'apps', { kind: 'Deployment', resource: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  grp('apps', ['v1'], 'apps', { kind: 'ReplicaSet', resource: 'replicasets', singular: 'replicaset', namespaced: true, shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  grp('apps', ['v1'], 'apps', { kind: 'StatefulSet', resource: 'statefulsets', singular: 'statefulset', namespaced: true, shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  grp('apps', ['v1'], 'apps', { kind: 'DaemonSet', resource: 'daemonsets', singular: 'daemonset', namespaced: true, shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  grp('apps', ['v1'], 'apps', { kind: 'ControllerRevision', resource: 'controllerrevisions', singular: 'controllerrevision', namespaced: true }),

  grp('batch', ['v1'], 'batch', { kind: 'Job', resource: 'jobs', singular: 'job', namespaced: true, categories: ['all'], subresources: ['status'] }),
  grp('batch', ['v1'], 'batch', { kind: 'CronJob', resource: 'cronjobs', singular: 'cronjob', namespaced: true, shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),

  grp('autoscaling', ['v2', 'v1'], 'autoscaling', { kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', namespaced: true, shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),

  grp('networking.k8s.io', ['v1'], 'networking', { kind: 'Ingress', resource: 'ingresses', singular: 'ingress', namespaced: true, shortNames: ['ing'], subresources: ['status'] }),
  grp('networking.k8s.io', ['v1'], 'networking', { kind: 'IngressClass', resource: 'ingressclasses', singular: 'ingressclass', namespaced: false }),
  grp('networking.k8s.io', ['v1'], 'networking', { kind: 'NetworkPolicy', resource: 'networkpolicies', singular: 'networkpolicy', namespaced: true, shortNames: ['netpol'] }),

  grp('discovery.k8s.io', ['v1'], 'discovery', { kind: 'EndpointSlice', resource: 'endpointslices', singular: 'endpointslice', namespaced: true }),
  grp('events.k8s.io', ['v1'], 'events', { kind: 'Event', resource: 'events', singular: 'event', namespaced: true, shortNames: ['ev'] }),
  grp('coordination.k8s.io', ['v1'], 'coordination', { kind: 'Lease', resource: 'leases', singular: 'lease', namespaced: true }),
  grp('storage.k8s.io', ['v1'], 'storage', { kind: 'StorageClass', resource: 'storageclasses', singular: 'storageclass', namespaced: false, shortNames: ['sc'] }),

  grp('rbac.authorization.k8s.io', ['v1'], 'rbac', { kind: 'Role', resource: 'roles', singular: 'role', namespaced: true }),
  grp('rbac.authorization.k8s.io', ['v1'], 'rbac', { kind: 'RoleBinding', resource: 'rolebindings', singular: 'rolebinding', namespaced: true }),
  grp('rbac.authorization.k8s.io', ['v1'], 'rbac', { kind: 'ClusterRole', resource: 'clusterroles', singular: 'clusterrole', namespaced: false }),
  grp('rbac.authorization.k8s.io', ['v1'], 'rbac', { kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', singular: 'clusterrolebinding', namespaced: false }),

  // Reviews: create-only, answered by the API server and never stored (apiserver/authz/reviews.ts).
  grp('authentication.k8s.io', ['v1'], 'authentication', { kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', singular: 'selfsubjectreview', namespaced: false, verbs: ['create'] }),
  grp('authentication.k8s.io', ['v1'], 'authentication', { kind: 'TokenReview', resource: 'tokenreviews', singular: 'tokenreview', namespaced: false, verbs: ['create'] }),
  grp('authorization.k8s.io', ['v1'], 'authorization', { kind: 'LocalSubjectAccessReview', resource: 'localsubjectaccessreviews', singular: 'localsubjectaccessreview', namespaced: true, verbs: ['create'] }),
  grp('authorization.k8s.io', ['v1'], 'authorization', { kind: 'SelfSubjectAccessReview', resource: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', namespaced: false, verbs: ['create'] }),
  grp('authorization.k8s.io', ['v1'], 'authorization', { kind: 'SelfSubjectRulesReview', resource: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview', namespaced: false, verbs: ['create'] }),
  grp('authorization.k8s.io', ['v1'], 'authorization', { kind: 'SubjectAccessReview', resource: 'subjectaccessreviews', singular: 'subjectaccessreview', namespaced: false, verbs: ['create'] }),

  grp('policy', ['v1'], 'policy', { kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', singular: 'poddisruptionbudget', namespaced: true, shortNames: ['pdb'], subresources: ['status'] }),
  grp('certificates.k8s.io', ['v1'], 'certificates', { kind: 'CertificateSigningRequest', resource: 'certificatesigningrequests', singular: 'certificatesigningrequest', namespaced: false, shortNames: ['csr'], subresources: ['status', 'approval'] }),
  grp('scheduling.k8s.io', ['v1'], 'scheduling', { kind: 'PriorityClass', resource: 'priorityclasses', singular: 'priorityclass', namespaced: false, shortNames: ['pc'] }),

  { group: 'apiextensions.k8s.io', versions: [{ version: 'v1', schema: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition' }], kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', singular: 'customresourcedefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'] },
  grp('admissionregistration.k8s.io', ['v1'], 'admissionregistration', { kind: 'MutatingWebhookConfiguration', resource: 'mutatingwebhookconfigurations', singular: 'mutatingwebhookconfiguration', namespaced: false, categories: ['api-extensions'] }),
  grp('admissionregistration.k8s.io', ['v1'], 'admissionregistration', { kind: 'ValidatingWebhookConfiguration', resource: 'validatingwebhookconfigurations', singular: 'validatingwebhookconfiguration', namespaced: false, categories: ['api-extensions'] }),
];

/** Key used for per-kind tables (defaults, validation, printers): `apps/Deployment`, `/Pod` for core. */
export function kindKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}
