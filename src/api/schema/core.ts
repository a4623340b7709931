// Schemas of the core/v1 API types other than the Pod family (which lives in core-pod.ts):
// Namespace, Node, Service, Endpoints, ConfigMap, Secret, ServiceAccount, Event,
// ReplicationController, ResourceQuota, LimitRange, PersistentVolume(+Claim), Binding,
// ComponentStatus, the shared reference types and the PersistentVolume-only volume sources.
// Patch metadata and required lists follow upstream's struct tags for Kubernetes v1.32.
// One file for the whole group keeps the name space in one place; it is long but flat data.
import type { Schema, StructDef } from './dsl.js';
import {
  bool, bytes, int32, int64, intOrString, kindFields, list, listOf, map, mapList, microTime, quantity, ref, setList, str, struct, time,
} from './dsl.js';

const c = (name: string): string => `io.k8s.api.core.v1.${name}`;
const meta = (name: string): string => `io.k8s.apimachinery.pkg.apis.meta.v1.${name}`;
const cref = (name: string): Schema => ref(c(name));
const gvk = (kind: string) => [{ group: '', version: 'v1', kind }];

/** ResourceList: resource name → quantity. */
const resources = (): Schema => map(quantity());
const objectRef = (): Schema => cref('ObjectReference');
const secretRef = (): Schema => cref('SecretReference');

/** A top-level core/v1 kind with the standard apiVersion/kind/metadata fields, and its List. */
function kind(name: string, fields: Record<string, Schema>, required?: readonly string[]): StructDef[] {
  const def = struct(c(name), { ...kindFields(), ...fields }, { gvk: gvk(name), ...(required ? { required } : {}) });
  return [def, listOf(c(name), c(`${name}List`), { group: '', version: 'v1', kind: `${name}List` })];
}

const protocol = (): Schema => str(['SCTP', 'TCP', 'UDP']);
const conditionStatus = (): Schema => str();
const accessModes = (): Schema => list(str(['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod']));
const volumeMode = (): Schema => str(['Block', 'Filesystem']);
const quotaScope = (): Schema => str(['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating']);

// --- Namespace -------------------------------------------------------------------------------

const namespaceDefs: StructDef[] = [
  ...kind('Namespace', {
    spec: cref('NamespaceSpec'),
    status: cref('NamespaceStatus'),
  }),
  struct(c('NamespaceSpec'), { finalizers: list(str()) }),
  struct(c('NamespaceStatus'), {
    phase: str(['Active', 'Terminating']),
    conditions: mapList(cref('NamespaceCondition'), 'type'),
  }),
  struct(c('NamespaceCondition'), {
    type: str(),
    status: conditionStatus(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  }, { required: ['type', 'status'] }),
];

// --- Node ------------------------------------------------------------------------------------

const nodeDefs: StructDef[] = [
  ...kind('Node', {
    spec: cref('NodeSpec'),
    status: cref('NodeStatus'),
  }),
  struct(c('NodeSpec'), {
    podCIDR: str(),
    podCIDRs: setList(str()),
    providerID: str(),
    unschedulable: bool(),
    taints: list(cref('Taint')),
    configSource: cref('NodeConfigSource'),
    externalID: str(),
  }),
  struct(c('Taint'), {
    key: str(),
    value: str(),
    effect: str(['NoExecute', 'NoSchedule', 'PreferNoSchedule']),
    timeAdded: time(),
  }, { required: ['key', 'effect'] }),
  struct(c('NodeConfigSource'), { configMap: cref('ConfigMapNodeConfigSource') }),
  struct(c('ConfigMapNodeConfigSource'), {
    namespace: str(),
    name: str(),
    uid: str(),
    resourceVersion: str(),
    kubeletConfigKey: str(),
  }, { required: ['namespace', 'name', 'kubeletConfigKey'] }),
  struct(c('NodeStatus'), {
    capacity: resources(),
    allocatable: resources(),
    phase: str(['Pending', 'Running', 'Terminated']),
    conditions: mapList(cref('NodeCondition'), 'type'),
    // Declared mergeable on `type` although types repeat (several InternalIPs); upstream keeps
    // the tags for compatibility and tells callers to replace the list whole.
    addresses: mapList(cref('NodeAddress'), 'type'),
    daemonEndpoints: cref('NodeDaemonEndpoints'),
    nodeInfo: cref('NodeSystemInfo'),
    images: list(cref('ContainerImage')),
    volumesInUse: list(str()),
    volumesAttached: list(cref('AttachedVolume')),
    config: cref('NodeConfigStatus'),
    runtimeHandlers: list(cref('NodeRuntimeHandler')),
    features: cref('NodeFeatures'),
  }),
  struct(c('NodeCondition'), {
    type: str(),
    status: conditionStatus(),
    lastHeartbeatTime: time(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  }, { required: ['type', 'status'] }),
  struct(c('NodeAddress'), { type: str(), address: str() }, { required: ['type', 'address'] }),
  struct(c('NodeDaemonEndpoints'), { kubeletEndpoint: cref('DaemonEndpoint') }),
  // The capitalised `Port` is upstream's wire name (a historical tag bug kept for compatibility).
  struct(c('DaemonEndpoint'), { Port: int32() }, { required: ['Port'] }),
  struct(c('NodeSystemInfo'), {
    machineID: str(),
    systemUUID: str(),
    bootID: str(),
    kernelVersion: str(),
    osImage: str(),
    containerRuntimeVersion: str(),
    kubeletVersion: str(),
    kubeProxyVersion: str(),
    operatingSystem: str(),
    architecture: str(),
    swap: cref('NodeSwapStatus'),
  }, {
    required: ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture'],
  }),
  struct(c('NodeSwapStatus'), { capacity: int64() }),
  struct(c('ContainerImage'), { names: list(str()), sizeBytes: int64() }),
  struct(c('AttachedVolume'), { name: str(), devicePath: str() }, { required: ['name', 'devicePath'] }),
  struct(c('NodeConfigStatus'), {
    assigned: cref('NodeConfigSource'),
    active: cref('NodeConfigSource'),
    lastKnownGood: cref('NodeConfigSource'),
    error: str(),
  }),
  struct(c('NodeRuntimeHandler'), { name: str(), features: cref('NodeRuntimeHandlerFeatures') }),
  struct(c('NodeRuntimeHandlerFeatures'), { recursiveReadOnlyMounts: bool(), userNamespaces: bool() }),
  struct(c('NodeFeatures'), { supplementalGroupsPolicy: bool() }),
];

// --- Service and Endpoints -------------------------------------------------------------------

const serviceDefs: StructDef[] = [
  ...kind('Service', {
    spec: cref('ServiceSpec'),
    status: cref('ServiceStatus'),
  }),
  struct(c('ServiceSpec'), {
    // Merged on port for strategic merge patch; SSA keys on (port, protocol) so TCP and UDP on
    // one port are distinct entries.
    ports: mapList(cref('ServicePort'), 'port', { mapKeys: ['port', 'protocol'] }),
    selector: map(str()),
    clusterIP: str(),
    clusterIPs: list(str()),
    type: str(['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']),
    externalIPs: list(str()),
    sessionAffinity: str(['ClientIP', 'None']),
    loadBalancerIP: str(),
    loadBalancerSourceRanges: list(str()),
    externalName: str(),
    externalTrafficPolicy: str(['Cluster', 'Local']),
    healthCheckNodePort: int32(),
    publishNotReadyAddresses: bool(),
    sessionAffinityConfig: cref('SessionAffinityConfig'),
    ipFamilies: list(str()),
    ipFamilyPolicy: str(['PreferDualStack', 'RequireDualStack', 'SingleStack']),
    allocateLoadBalancerNodePorts: bool(),
    loadBalancerClass: str(),
    internalTrafficPolicy: str(['Cluster', 'Local']),
    trafficDistribution: str(),
  }),
  struct(c('ServicePort'), {
    name: str(),
    protocol: protocol(),
    appProtocol: str(),
    port: int32(),
    targetPort: intOrString(),
    nodePort: int32(),
  }, { required: ['port'] }),
  struct(c('SessionAffinityConfig'), { clientIP: cref('ClientIPConfig') }),
  struct(c('ClientIPConfig'), { timeoutSeconds: int32() }),
  struct(c('ServiceStatus'), {
    loadBalancer: cref('LoadBalancerStatus'),
    conditions: mapList(ref(meta('Condition')), 'type'),
  }),
  struct(c('LoadBalancerStatus'), { ingress: list(cref('LoadBalancerIngress')) }),
  struct(c('LoadBalancerIngress'), {
    ip: str(),
    hostname: str(),
    ipMode: str(),
    ports: list(cref('PortStatus')),
  }),
  struct(c('PortStatus'), { port: int32(), protocol: protocol(), error: str() }, { required: ['port', 'protocol'] }),

  ...kind('Endpoints', {
    subsets: list(cref('EndpointSubset')),
  }),
  struct(c('EndpointSubset'), {
    addresses: list(cref('EndpointAddress')),
    notReadyAddresses: list(cref('EndpointAddress')),
    ports: list(cref('EndpointPort')),
  }),
  struct(c('EndpointAddress'), {
    ip: str(),
    hostname: str(),
    nodeName: str(),
    targetRef: objectRef(),
  }, { required: ['ip'] }),
  struct(c('EndpointPort'), {
    name: str(),
    port: int32(),
    protocol: protocol(),
    appProtocol: str(),
  }, { required: ['port'] }),
];

// --- Configuration and identity --------------------------------------------------------------

const configDefs: StructDef[] = [
  ...kind('ConfigMap', {
    immutable: bool(),
    data: map(str()),
    binaryData: map(bytes()),
  }),
  ...kind('Secret', {
    immutable: bool(),
    data: map(bytes()),
    // Write-only convenience input, merged into data on write and never returned.
    stringData: map(str()),
    type: str(),
  }),
  ...kind('ServiceAccount', {
    secrets: mapList(objectRef(), 'name'),
    imagePullSecrets: list(cref('LocalObjectReference')),
    automountServiceAccountToken: bool(),
  }),
];

// --- References ------------------------------------------------------------------------------

const referenceDefs: StructDef[] = [
  struct(c('ObjectReference'), {
    kind: str(),
    namespace: str(),
    name: str(),
    uid: str(),
    apiVersion: str(),
    resourceVersion: str(),
    fieldPath: str(),
  }),
  struct(c('TypedLocalObjectReference'), {
    apiGroup: str(),
    kind: str(),
    name: str(),
  }, { required: ['kind', 'name'] }),
  struct(c('TypedObjectReference'), {
    apiGroup: str(),
    kind: str(),
    name: str(),
    namespace: str(),
  }, { required: ['kind', 'name'] }),
  struct(c('SecretReference'), { name: str(), namespace: str() }),
  // Used by StorageClass.allowedTopologies.
  struct(c('TopologySelectorTerm'), {
    matchLabelExpressions: list(cref('TopologySelectorLabelRequirement')),
  }),
  struct(c('TopologySelectorLabelRequirement'), {
    key: str(),
    values: list(str()),
  }, { required: ['key', 'values'] }),
];

// --- Events ----------------------------------------------------------------------------------

const eventDefs: StructDef[] = [
  ...kind('Event', {
    involvedObject: objectRef(),
    reason: str(),
    message: str(),
    source: cref('EventSource'),
    firstTimestamp: time(),
    lastTimestamp: time(),
    count: int32(),
    type: str(),
    eventTime: microTime(),
    series: cref('EventSeries'),
    action: str(),
    related: objectRef(),
    reportingComponent: str(),
    reportingInstance: str(),
  }, ['metadata', 'involvedObject']),
  struct(c('EventSource'), { component: str(), host: str() }),
  struct(c('EventSeries'), { count: int32(), lastObservedTime: microTime() }),
];

// --- Workloads, quota and limits -------------------------------------------------------------

const controlDefs: StructDef[] = [
  ...kind('ReplicationController', {
    spec: cref('ReplicationControllerSpec'),
    status: cref('ReplicationControllerStatus'),
  }),
  struct(c('ReplicationControllerSpec'), {
    replicas: int32(),
    minReadySeconds: int32(),
    selector: map(str()),
    template: cref('PodTemplateSpec'),
  }),
  struct(c('ReplicationControllerStatus'), {
    replicas: int32(),
    fullyLabeledReplicas: int32(),
    readyReplicas: int32(),
    availableReplicas: int32(),
    observedGeneration: int64(),
    conditions: mapList(cref('ReplicationControllerCondition'), 'type'),
  }, { required: ['replicas'] }),
  struct(c('ReplicationControllerCondition'), {
    type: str(),
    status: conditionStatus(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  }, { required: ['type', 'status'] }),

  ...kind('ResourceQuota', {
    spec: cref('ResourceQuotaSpec'),
    status: cref('ResourceQuotaStatus'),
  }),
  struct(c('ResourceQuotaSpec'), {
    hard: resources(),
    scopes: list(quotaScope()),
    scopeSelector: cref('ScopeSelector'),
  }),
  struct(c('ScopeSelector'), { matchExpressions: list(cref('ScopedResourceSelectorRequirement')) }),
  struct(c('ScopedResourceSelectorRequirement'), {
    scopeName: quotaScope(),
    operator: str(['DoesNotExist', 'Exists', 'In', 'NotIn']),
    values: list(str()),
  }, { required: ['scopeName', 'operator'] }),
  struct(c('ResourceQuotaStatus'), { hard: resources(), used: resources() }),

  ...kind('LimitRange', {
    spec: cref('LimitRangeSpec'),
  }),
  struct(c('LimitRangeSpec'), { limits: list(cref('LimitRangeItem')) }, { required: ['limits'] }),
  struct(c('LimitRangeItem'), {
    type: str(),
    max: resources(),
    min: resources(),
    default: resources(),
    defaultRequest: resources(),
    maxLimitRequestRatio: resources(),
  }, { required: ['type'] }),
];

// --- PersistentVolume ------------------------------------------------------------------------

const pvDefs: StructDef[] = [
  ...kind('PersistentVolume', {
    spec: cref('PersistentVolumeSpec'),
    status: cref('PersistentVolumeStatus'),
  }),
  struct(c('PersistentVolumeSpec'), {
    capacity: resources(),
    // The inlined PersistentVolumeSource: exactly one should be set.
    gcePersistentDisk: cref('GCEPersistentDiskVolumeSource'),
    awsElasticBlockStore: cref('AWSElasticBlockStoreVolumeSource'),
    hostPath: cref('HostPathVolumeSource'),
    glusterfs: cref('GlusterfsPersistentVolumeSource'),
    nfs: cref('NFSVolumeSource'),
    rbd: cref('RBDPersistentVolumeSource'),
    iscsi: cref('ISCSIPersistentVolumeSource'),
    cinder: cref('CinderPersistentVolumeSource'),
    cephfs: cref('CephFSPersistentVolumeSource'),
    fc: cref('FCVolumeSource'),
    flocker: cref('FlockerVolumeSource'),
    flexVolume: cref('FlexPersistentVolumeSource'),
    azureFile: cref('AzureFilePersistentVolumeSource'),
    vsphereVolume: cref('VsphereVirtualDiskVolumeSource'),
    quobyte: cref('QuobyteVolumeSource'),
    azureDisk: cref('AzureDiskVolumeSource'),
    photonPersistentDisk: cref('PhotonPersistentDiskVolumeSource'),
    portworxVolume: cref('PortworxVolumeSource'),
    scaleIO: cref('ScaleIOPersistentVolumeSource'),
    local: cref('LocalVolumeSource'),
    storageos: cref('StorageOSPersistentVolumeSource'),
    csi: cref('CSIPersistentVolumeSource'),
    // The rest of the spec.
    accessModes: accessModes(),
    claimRef: objectRef(),
    persistentVolumeReclaimPolicy: str(['Delete', 'Recycle', 'Retain']),
    storageClassName: str(),
    mountOptions: list(str()),
    volumeMode: volumeMode(),
    nodeAffinity: cref('VolumeNodeAffinity'),
    volumeAttributesClassName: str(),
  }),
  struct(c('VolumeNodeAffinity'), { required: cref('NodeSelector') }),
  struct(c('PersistentVolumeStatus'), {
    phase: str(['Available', 'Bound', 'Failed', 'Pending', 'Released']),
    message: str(),
    reason: str(),
    lastPhaseTransitionTime: time(),
  }),

  // PersistentVolume-only variants of volume sources: they name secrets in any namespace
  // (SecretReference) where the pod variants are limited to the pod's own namespace.
  struct(c('GlusterfsPersistentVolumeSource'), {
    endpoints: str(),
    path: str(),
    readOnly: bool(),
    endpointsNamespace: str(),
  }, { required: ['endpoints', 'path'] }),
  struct(c('RBDPersistentVolumeSource'), {
    monitors: list(str()),
    image: str(),
    fsType: str(),
    pool: str(),
    user: str(),
    keyring: str(),
    secretRef: secretRef(),
    readOnly: bool(),
  }, { required: ['monitors', 'image'] }),
  struct(c('ISCSIPersistentVolumeSource'), {
    targetPortal: str(),
    iqn: str(),
    lun: int32(),
    iscsiInterface: str(),
    fsType: str(),
    readOnly: bool(),
    portals: list(str()),
    chapAuthDiscovery: bool(),
    chapAuthSession: bool(),
    secretRef: secretRef(),
    initiatorName: str(),
  }, { required: ['targetPortal', 'iqn', 'lun'] }),
  struct(c('CinderPersistentVolumeSource'), {
    volumeID: str(),
    fsType: str(),
    readOnly: bool(),
    secretRef: secretRef(),
  }, { required: ['volumeID'] }),
  struct(c('CephFSPersistentVolumeSource'), {
    monitors: list(str()),
    path: str(),
    user: str(),
    secretFile: str(),
    secretRef: secretRef(),
    readOnly: bool(),
  }, { required: ['monitors'] }),
  struct(c('FlexPersistentVolumeSource'), {
    driver: str(),
    fsType: str(),
    secretRef: secretRef(),
    readOnly: bool(),
    options: map(str()),
  }, { required: ['driver'] }),
  struct(c('AzureFilePersistentVolumeSource'), {
    secretName: str(),
    shareName: str(),
    readOnly: bool(),
    secretNamespace: str(),
  }, { required: ['secretName', 'shareName'] }),
  struct(c('ScaleIOPersistentVolumeSource'), {
    gateway: str(),
    system: str(),
    secretRef: secretRef(),
    sslEnabled: bool(),
    protectionDomain: str(),
    storagePool: str(),
    storageMode: str(),
    volumeName: str(),
    fsType: str(),
    readOnly: bool(),
  }, { required: ['gateway', 'system', 'secretRef'] }),
  struct(c('LocalVolumeSource'), { path: str(), fsType: str() }, { required: ['path'] }),
  struct(c('StorageOSPersistentVolumeSource'), {
    volumeName: str(),
    volumeNamespace: str(),
    fsType: str(),
    readOnly: bool(),
    secretRef: objectRef(),
  }),
  struct(c('CSIPersistentVolumeSource'), {
    driver: str(),
    volumeHandle: str(),
    readOnly: bool(),
    fsType: str(),
    volumeAttributes: map(str()),
    controllerPublishSecretRef: secretRef(),
    nodeStageSecretRef: secretRef(),
    nodePublishSecretRef: secretRef(),
    controllerExpandSecretRef: secretRef(),
    nodeExpandSecretRef: secretRef(),
  }, { required: ['driver', 'volumeHandle'] }),
];

// --- PersistentVolumeClaim -------------------------------------------------------------------

const pvcDefs: StructDef[] = [
  ...kind('PersistentVolumeClaim', {
    spec: cref('PersistentVolumeClaimSpec'),
    status: cref('PersistentVolumeClaimStatus'),
  }),
  struct(c('PersistentVolumeClaimSpec'), {
    accessModes: accessModes(),
    selector: ref(meta('LabelSelector')),
    resources: cref('VolumeResourceRequirements'),
    volumeName: str(),
    storageClassName: str(),
    volumeMode: volumeMode(),
    dataSource: cref('TypedLocalObjectReference'),
    dataSourceRef: cref('TypedObjectReference'),
    volumeAttributesClassName: str(),
  }),
  struct(c('VolumeResourceRequirements'), { limits: resources(), requests: resources() }),
  struct(c('PersistentVolumeClaimStatus'), {
    phase: str(['Bound', 'Lost', 'Pending']),
    accessModes: accessModes(),
    capacity: resources(),
    conditions: mapList(cref('PersistentVolumeClaimCondition'), 'type'),
    allocatedResources: resources(),
    allocatedResourceStatuses: map(str(['ControllerResizeFailed', 'ControllerResizeInProgress', 'NodeResizeFailed', 'NodeResizeInProgress', 'NodeResizePending'])),
    currentVolumeAttributesClassName: str(),
    modifyVolumeStatus: cref('ModifyVolumeStatus'),
  }),
  struct(c('PersistentVolumeClaimCondition'), {
    type: str(),
    status: conditionStatus(),
    lastProbeTime: time(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  }, { required: ['type', 'status'] }),
  struct(c('ModifyVolumeStatus'), {
    targetVolumeAttributesClassName: str(),
    status: str(['InProgress', 'Infeasible', 'Pending']),
  }, { required: ['status'] }),
];

// --- Binding and ComponentStatus -------------------------------------------------------------

const miscDefs: StructDef[] = [
  // Binding is only ever POSTed (pods/binding), so it has no List.
  struct(c('Binding'), { ...kindFields(), target: objectRef() }, {
    required: ['target'],
    gvk: gvk('Binding'),
  }),
  ...kind('ComponentStatus', {
    conditions: mapList(cref('ComponentCondition'), 'type'),
  }),
  struct(c('ComponentCondition'), {
    type: str(),
    status: conditionStatus(),
    message: str(),
    error: str(),
  }, { required: ['type', 'status'] }),
];

export const defs: StructDef[] = [
  ...namespaceDefs,
  ...nodeDefs,
  ...serviceDefs,
  ...configDefs,
  ...referenceDefs,
  ...eventDefs,
  ...controlDefs,
  ...pvDefs,
  ...pvcDefs,
  ...miscDefs,
];
