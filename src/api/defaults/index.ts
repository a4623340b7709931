// applyDefaults: the API server's defaulting step, run on create and on update (after patches)
// for the object in its served version. Dispatches on group/kind; kinds without defaults pass.
import { kindKey } from '../resources.js';
import type { KObject } from '../types.js';
import { defaultEndpoints, defaultLimitRange, defaultNamespace, defaultNode, defaultPV, defaultPVC, defaultSecret, defaultService } from './core.js';
import { defaultEndpointSlice, defaultHPA, defaultNetworkPolicy, defaultPriorityClass, defaultRoleBinding, defaultStorageClass } from './groups.js';
import { defaultPod } from './pod.js';
import { defaultMutatingWebhookConfiguration, defaultValidatingWebhookConfiguration } from './admissionregistration.js';
import { defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultPodTemplateObject, defaultReplicaSet, defaultReplicationController, defaultStatefulSet } from './workloads.js';

const DEFAULTERS: Record<string, (o: KObject) => void> = {
  [kindKey('', 'Pod')]: defaultPod,
  [kindKey('', 'PodTemplate')]: defaultPodTemplateObject,
  [kindKey('', 'ReplicationController')]: defaultReplicationController,
  [kindKey('', 'Service')]: defaultService,
  [kindKey('', 'Secret')]: defaultSecret,
  [kindKey('', 'Namespace')]: defaultNamespace,
  [kindKey('', 'Node')]: defaultNode,
  [kindKey('', 'PersistentVolume')]: defaultPV,
  [kindKey('', 'PersistentVolumeClaim')]: defaultPVC,
  [kindKey('', 'Endpoints')]: defaultEndpoints,
  [kindKey('', 'LimitRange')]: defaultLimitRange,
  [kindKey('apps', 'Deployment')]: defaultDeployment,
  [kindKey('apps', 'ReplicaSet')]: defaultReplicaSet,
  [kindKey('apps', 'StatefulSet')]: defaultStatefulSet,
  [kindKey('apps', 'DaemonSet')]: defaultDaemonSet,
  [kindKey('batch', 'Job')]: defaultJob,
  [kindKey('batch', 'CronJob')]: defaultCronJob,
  [kindKey('autoscaling', 'HorizontalPodAutoscaler')]: defaultHPA,
  [kindKey('networking.k8s.io', 'NetworkPolicy')]: defaultNetworkPolicy,
  [kindKey('discovery.k8s.io', 'EndpointSlice')]: defaultEndpointSlice,
  [kindKey('rbac.authorization.k8s.io', 'RoleBinding')]: defaultRoleBinding,
  [kindKey('rbac.authorization.k8s.io', 'ClusterRoleBinding')]: defaultRoleBinding,
  [kindKey('scheduling.k8s.io', 'PriorityClass')]: defaultPriorityClass,
  [kindKey('storage.k8s.io', 'StorageClass')]: defaultStorageClass,
  [kindKey('admissionregistration.k8s.io', 'MutatingWebhookConfiguration')]: defaultMutatingWebhookConfiguration,
  [kindKey('admissionregistration.k8s.io', 'ValidatingWebhookConfiguration')]: defaultValidatingWebhookConfiguration,
};

/** Fills unset fields with upstream's v1.32 defaults, in place. */
export function applyDefaults(group: string, kind: string, obj: KObject): void {
  if (!obj.metadata) obj.metadata = {};
  DEFAULTERS[kindKey(group, kind)]?.(obj);
}

export { generateJobSelector } from './workloads.js';
export { imageTag } from './pod.js';
