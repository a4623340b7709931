// Schemas of apps/v1 (Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision) as of
// Kubernetes v1.32. Patch strategies, merge keys and list types follow the upstream struct tags,
// since strategic merge patch and server-side apply are driven by them.
import { any, bool, f, int32, int64, intOrString, kindFields, list, listOf, mapList, ref, str, struct, time, type StructDef } from './dsl.js';

const APPS = 'io.k8s.api.apps.v1';
const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (kind: string) => ({ group: 'apps', version: 'v1', kind });

/** The conditions of the four workload kinds: merged by type in both patch flavours. */
const conditions = (item: string) => mapList(ref(`${APPS}.${item}`), 'type');

/** The condition shape shared by ReplicaSet, StatefulSet and DaemonSet (Deployment adds lastUpdateTime). */
const condition = (name: string) =>
  struct(`${APPS}.${name}`, { type: str(), status: str(), lastTransitionTime: time(), reason: str(), message: str() }, { required: ['type', 'status'] });

const deployment: StructDef[] = [
  struct(`${APPS}.Deployment`, { ...kindFields(), spec: ref(`${APPS}.DeploymentSpec`), status: ref(`${APPS}.DeploymentStatus`) }, { gvk: [gvk('Deployment')] }),
  struct(`${APPS}.DeploymentSpec`, {
    replicas: int32(),
    selector: ref(`${META}.LabelSelector`),
    template: ref(`${CORE}.PodTemplateSpec`),
    // Upstream puts retainKeys on the field, not on the DeploymentStrategy type: switching
    // type to Recreate through a patch must drop the stale rollingUpdate.
    strategy: f(ref(`${APPS}.DeploymentStrategy`), undefined, 'retainKeys'),
    minReadySeconds: int32(),
    revisionHistoryLimit: int32(),
    paused: bool(),
    progressDeadlineSeconds: int32(),
  }, { required: ['selector', 'template'] }),
  struct(`${APPS}.DeploymentStrategy`, { type: str(['Recreate', 'RollingUpdate']), rollingUpdate: ref(`${APPS}.RollingUpdateDeployment`) }),
  struct(`${APPS}.RollingUpdateDeployment`, { maxUnavailable: intOrString(), maxSurge: intOrString() }),
  struct(`${APPS}.DeploymentStatus`, {
    observedGeneration: int64(),
    replicas: int32(),
    updatedReplicas: int32(),
    readyReplicas: int32(),
    availableReplicas: int32(),
    unavailableReplicas: int32(),
    conditions: conditions('DeploymentCondition'),
    collisionCount: int32(),
  }),
  struct(`${APPS}.DeploymentCondition`, {
    type: str(),
    status: str(),
    lastUpdateTime: time(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  }, { required: ['type', 'status'] }),
  listOf(`${APPS}.Deployment`, `${APPS}.DeploymentList`, gvk('DeploymentList')),
];

const replicaSet: StructDef[] = [
  struct(`${APPS}.ReplicaSet`, { ...kindFields(), spec: ref(`${APPS}.ReplicaSetSpec`), status: ref(`${APPS}.ReplicaSetStatus`) }, { gvk: [gvk('ReplicaSet')] }),
  struct(`${APPS}.ReplicaSetSpec`, {
    replicas: int32(),
    minReadySeconds: int32(),
    selector: ref(`${META}.LabelSelector`),
    template: ref(`${CORE}.PodTemplateSpec`),
  }, { required: ['selector'] }),
  struct(`${APPS}.ReplicaSetStatus`, {
    replicas: int32(),
    fullyLabeledReplicas: int32(),
    readyReplicas: int32(),
    availableReplicas: int32(),
    observedGeneration: int64(),
    conditions: conditions('ReplicaSetCondition'),
  }, { required: ['replicas'] }),
  condition('ReplicaSetCondition'),
  listOf(`${APPS}.ReplicaSet`, `${APPS}.ReplicaSetList`, gvk('ReplicaSetList')),
];

const statefulSet: StructDef[] = [
  struct(`${APPS}.StatefulSet`, { ...kindFields(), spec: ref(`${APPS}.StatefulSetSpec`), status: ref(`${APPS}.StatefulSetStatus`) }, { gvk: [gvk('StatefulSet')] }),
  struct(`${APPS}.StatefulSetSpec`, {
    replicas: int32(),
    selector: ref(`${META}.LabelSelector`),
    template: ref(`${CORE}.PodTemplateSpec`),
    volumeClaimTemplates: list(ref(`${CORE}.PersistentVolumeClaim`)),
    serviceName: str(),
    podManagementPolicy: str(['OrderedReady', 'Parallel']),
    updateStrategy: ref(`${APPS}.StatefulSetUpdateStrategy`),
    revisionHistoryLimit: int32(),
    minReadySeconds: int32(),
    persistentVolumeClaimRetentionPolicy: ref(`${APPS}.StatefulSetPersistentVolumeClaimRetentionPolicy`),
    ordinals: ref(`${APPS}.StatefulSetOrdinals`),
  }, { required: ['selector', 'template', 'serviceName'] }),
  struct(`${APPS}.StatefulSetUpdateStrategy`, { type: str(['OnDelete', 'RollingUpdate']), rollingUpdate: ref(`${APPS}.RollingUpdateStatefulSetStrategy`) }),
  struct(`${APPS}.RollingUpdateStatefulSetStrategy`, { partition: int32(), maxUnavailable: intOrString() }),
  struct(`${APPS}.StatefulSetPersistentVolumeClaimRetentionPolicy`, { whenDeleted: str(), whenScaled: str() }),
  struct(`${APPS}.StatefulSetOrdinals`, { start: int32() }),
  struct(`${APPS}.StatefulSetStatus`, {
    observedGeneration: int64(),
    replicas: int32(),
    readyReplicas: int32(),
    currentReplicas: int32(),
    updatedReplicas: int32(),
    currentRevision: str(),
    updateRevision: str(),
    collisionCount: int32(),
    conditions: conditions('StatefulSetCondition'),
    availableReplicas: int32(),
  }, { required: ['replicas'] }),
  condition('StatefulSetCondition'),
  listOf(`${APPS}.StatefulSet`, `${APPS}.StatefulSetList`, gvk('StatefulSetList')),
];

const daemonSet: StructDef[] = [
  struct(`${APPS}.DaemonSet`, { ...kindFields(), spec: ref(`${APPS}.DaemonSetSpec`), status: ref(`${APPS}.DaemonSetStatus`) }, { gvk: [gvk('DaemonSet')] }),
  struct(`${APPS}.DaemonSetSpec`, {
    selector: ref(`${META}.LabelSelector`),
    template: ref(`${CORE}.PodTemplateSpec`),
    updateStrategy: ref(`${APPS}.DaemonSetUpdateStrategy`),
    minReadySeconds: int32(),
    revisionHistoryLimit: int32(),
  }, { required: ['selector', 'template'] }),
  struct(`${APPS}.DaemonSetUpdateStrategy`, { type: str(['OnDelete', 'RollingUpdate']), rollingUpdate: ref(`${APPS}.RollingUpdateDaemonSet`) }),
  struct(`${APPS}.RollingUpdateDaemonSet`, { maxUnavailable: intOrString(), maxSurge: intOrString() }),
  struct(`${APPS}.DaemonSetStatus`, {
    currentNumberScheduled: int32(),
    numberMisscheduled: int32(),
    desiredNumberScheduled: int32(),
    numberReady: int32(),
    observedGeneration: int64(),
    updatedNumberScheduled: int32(),
    numberAvailable: int32(),
    numberUnavailable: int32(),
    collisionCount: int32(),
    conditions: conditions('DaemonSetCondition'),
  }, { required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'] }),
  condition('DaemonSetCondition'),
  listOf(`${APPS}.DaemonSet`, `${APPS}.DaemonSetList`, gvk('DaemonSetList')),
];

const controllerRevision: StructDef[] = [
  struct(`${APPS}.ControllerRevision`, { ...kindFields(), data: any(), revision: int64() }, {
    required: ['revision'],
    gvk: [gvk('ControllerRevision')],
  }),
  listOf(`${APPS}.ControllerRevision`, `${APPS}.ControllerRevisionList`, gvk('ControllerRevisionList')),
];

export const defs: StructDef[] = [...deployment, ...replicaSet, ...statefulSet, ...daemonSet, ...controllerRevision];
