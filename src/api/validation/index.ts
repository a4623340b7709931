// Entry points the API server calls: validateCreate, validateUpdate and validateStatusUpdate,
// dispatching on group/kind. Kinds without specific rules get ObjectMeta validation, so every
// object is at least checked for a well-formed name, labels, annotations, owners and finalizers.
import type { FieldError } from '../errors.js';
import { builtinResources, kindKey } from '../resources.js';
import type { KObject } from '../types.js';
import { validateMutatingWebhookConfiguration, validateValidatingWebhookConfiguration } from './admissionregistration.js';
import { validateControllerRevision, validateDaemonSet, validateDeployment, validateReplicaSet, validateReplicationController, validateStatefulSet, validateWorkloadStatus, validateWorkloadUpdate } from './apps.js';
import { hpaVersion, validateHPA } from './autoscaling.js';
import { validateCronJob, validateCronJobUpdate, validateJob, validateJobStatus, validateJobUpdate } from './batch.js';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config.js';
import { validateLease } from './coordination.js';
import { validateCsr, validateCsrStatusUpdate, validateCsrUpdate } from './certificates.js';
import { validateCoreEvent, validateEndpoints, validateLimitRange, validateNamespace, validateNamespaceStatus, validateNode, validateNodeUpdate, validateResourceQuota, validateResourceQuotaStatus, validateServiceAccount } from './core.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './discovery.js';
import { validateEventsV1 } from './events.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateIngress, validateIngressClass, validateIngressClassUpdate, validateNetworkPolicy } from './networking.js';
import { validatePod, validatePodTemplate } from './pod.js';
import { validatePodStatusUpdate, validatePodUpdate } from './pod-update.js';
import { validatePDB, validatePDBStatus } from './policy.js';
import { validateBinding, validateBindingUpdate, validateRole } from './rbac.js';
import { validatePriorityClass, validatePriorityClassUpdate } from './scheduling.js';
import { validateService, validateServiceUpdate } from './service.js';
import { validateStorageClass, validateStorageClassUpdate } from './storage.js';
import { validatePV, validatePVC, validatePVCUpdate, validatePVUpdate } from './storage-core.js';

type Create = (o: KObject) => FieldError[];
type Update = (o: KObject, old: KObject) => FieldError[];

const RBAC = 'rbac.authorization.k8s.io';

const CREATE: Record<string, Create> = {
  [kindKey('', 'Pod')]: validatePod,
  [kindKey('', 'PodTemplate')]: validatePodTemplate,
  [kindKey('', 'Service')]: validateService,
  [kindKey('', 'ConfigMap')]: validateConfigMap,
  [kindKey('', 'Secret')]: validateSecret,
  [kindKey('', 'Namespace')]: validateNamespace,
  [kindKey('', 'Node')]: validateNode,
  [kindKey('', 'ServiceAccount')]: validateServiceAccount,
  [kindKey('', 'Endpoints')]: validateEndpoints,
  [kindKey('', 'Event')]: validateCoreEvent,
  [kindKey('', 'LimitRange')]: validateLimitRange,
  [kindKey('', 'ResourceQuota')]: validateResourceQuota,
  [kindKey('', 'PersistentVolume')]: validatePV,
  [kindKey('', 'PersistentVolumeClaim')]: validatePVC,
  [kindKey('', 'ReplicationController')]: validateReplicationController,
  [kindKey('apps', 'Deployment')]: validateDeployment,
  [kindKey('apps', 'ReplicaSet')]: validateReplicaSet,
  [kindKey('apps', 'StatefulSet')]: validateStatefulSet,
  [kindKey('apps', 'DaemonSet')]: validateDaemonSet,
  [kindKey('apps', 'ControllerRevision')]: validateControllerRevision,
  [kindKey('batch', 'Job')]: validateJob,
  [kindKey('batch', 'CronJob')]: validateCronJob,
  [kindKey('autoscaling', 'HorizontalPodAutoscaler')]: (o) => validateHPA(o, hpaVersion(o)),
  [kindKey('networking.k8s.io', 'Ingress')]: validateIngress,
  [kindKey('networking.k8s.io', 'IngressClass')]: validateIngressClass,
  [kindKey('networking.k8s.io', 'NetworkPolicy')]: validateNetworkPolicy,
  [kindKey('discovery.k8s.io', 'EndpointSlice')]: validateEndpointSlice,
  [kindKey('events.k8s.io', 'Event')]: validateEventsV1,
  [kindKey('coordination.k8s.io', 'Lease')]: validateLease,
  [kindKey('storage.k8s.io', 'StorageClass')]: validateStorageClass,
  [kindKey(RBAC, 'Role')]: (o) => validateRole(o, true),
  [kindKey(RBAC, 'ClusterRole')]: (o) => validateRole(o, false),
  [kindKey(RBAC, 'RoleBinding')]: (o) => validateBinding(o, true),
  [kindKey(RBAC, 'ClusterRoleBinding')]: (o) => validateBinding(o, false),
  [kindKey('policy', 'PodDisruptionBudget')]: validatePDB,
  [kindKey('scheduling.k8s.io', 'PriorityClass')]: validatePriorityClass,
  [kindKey('admissionregistration.k8s.io', 'MutatingWebhookConfiguration')]: validateMutatingWebhookConfiguration,
  [kindKey('admissionregistration.k8s.io', 'ValidatingWebhookConfiguration')]: validateValidatingWebhookConfiguration,
  [kindKey('certificates.k8s.io', 'CertificateSigningRequest')]: validateCsr,
};

const UPDATE: Record<string, Update> = {
  [kindKey('', 'Pod')]: validatePodUpdate,
  [kindKey('', 'Service')]: validateServiceUpdate,
  [kindKey('', 'ConfigMap')]: validateConfigMapUpdate,
  [kindKey('', 'Secret')]: validateSecretUpdate,
  [kindKey('', 'Node')]: validateNodeUpdate,
  [kindKey('', 'PersistentVolume')]: validatePVUpdate,
  [kindKey('', 'PersistentVolumeClaim')]: validatePVCUpdate,
  [kindKey('batch', 'Job')]: validateJobUpdate,
  [kindKey('batch', 'CronJob')]: validateCronJobUpdate,
  [kindKey('networking.k8s.io', 'IngressClass')]: validateIngressClassUpdate,
  [kindKey('discovery.k8s.io', 'EndpointSlice')]: validateEndpointSliceUpdate,
  [kindKey('storage.k8s.io', 'StorageClass')]: validateStorageClassUpdate,
  [kindKey('scheduling.k8s.io', 'PriorityClass')]: validatePriorityClassUpdate,
  [kindKey(RBAC, 'RoleBinding')]: (o, old) => validateBindingUpdate(o, old, true),
  [kindKey(RBAC, 'ClusterRoleBinding')]: (o, old) => validateBindingUpdate(o, old, false),
  [kindKey('certificates.k8s.io', 'CertificateSigningRequest')]: validateCsrUpdate,
};
for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision']) {
  const create = CREATE[kindKey('apps', kind)]!;
  // The spec rules still apply on update; names are not re-checked (upstream tolerates old names).
  UPDATE[kindKey('apps', kind)] = (o, old) => [...validateWorkloadUpdate(kind, o, old), ...create(o).filter((e) => !e.field.startsWith('metadata.'))];
}

const STATUS: Record<string, Update> = {
  [kindKey('', 'Pod')]: validatePodStatusUpdate,
  [kindKey('', 'Namespace')]: validateNamespaceStatus,
  [kindKey('', 'ResourceQuota')]: validateResourceQuotaStatus,
  [kindKey('', 'ReplicationController')]: (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...validateWorkloadStatus('ReplicationController', o, old)],
  [kindKey('batch', 'Job')]: validateJobStatus,
  [kindKey('certificates.k8s.io', 'CertificateSigningRequest')]: validateCsrStatusUpdate,
  [kindKey('policy', 'PodDisruptionBudget')]: (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...validatePDBStatus(o)],
};
for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']) {
  STATUS[kindKey('apps', kind)] = (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...validateWorkloadStatus(kind, o, old)];
}

function isNamespaced(group: string, kind: string): boolean {
  return builtinResources.find((r) => r.group === group && r.kind === kind)?.namespaced ?? true;
}

/** Validation on create: the kind's rules, or ObjectMeta checks for kinds without their own. */
export function validateCreate(group: string, kind: string, obj: KObject): FieldError[] {
  const fn = CREATE[kindKey(group, kind)];
  return fn ? fn(obj) : validateObjectMeta(obj.metadata, isNamespaced(group, kind), nameIsDNSSubdomain);
}

/** Validation on update: immutability rules, plus the create rules on the new object (names excepted). */
export function validateUpdate(group: string, kind: string, obj: KObject, old: KObject): FieldError[] {
  const fn = UPDATE[kindKey(group, kind)];
  if (fn) return fn(obj, old);
  const create = CREATE[kindKey(group, kind)];
  const specErrs = create ? create(obj).filter((e) => !e.field.startsWith('metadata.')) : [];
  return [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...specErrs];
}

/** Validation of a status subresource write: metadata immutability plus light status range checks. */
export function validateStatusUpdate(group: string, kind: string, obj: KObject, old: KObject): FieldError[] {
  const fn = STATUS[kindKey(group, kind)];
  return fn ? fn(obj, old) : validateObjectMetaUpdate(obj.metadata, old.metadata);
}
