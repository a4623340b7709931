// Protobuf field numbers of the non-core API groups (apps, batch, autoscaling v1/v2, networking,
// discovery, events, coordination, storage, rbac, policy, scheduling), keyed by the schema DSL's
// struct names and JSON field names. They let the decoder turn the protobuf request bodies that
// kubectl's typed clients send (application/vnd.kubernetes.protobuf) into the JSON shape the
// rest of the apiserver works on.
//
// The numbers are the wire format, copied from upstream's k8s.io/api/<group>/<version>/
// generated.proto. Field numbers are never reused or renumbered upstream, so the (newer) proto files
// they were read from give the v1.32 numbers; fields added after v1.32 are not listed. Gaps in a
// message (DeploymentSpec has no 8, IngressBackend no 1 or 2) are upstream's, not omissions.
//
// Two shapes differ between JSON and protobuf and are not plain entries in `fields`:
// - apiVersion and kind of a top-level kind (TypeMeta) are not fields of the message: the
//   runtime.Unknown envelope around the message carries them. Fields of that name in reference
//   structs (CrossVersionObjectReference.apiVersion, RoleRef.kind, ...) are real fields and listed.
// - Members of a Go struct embedded with `json:",inline"` sit directly on the parent in JSON but in a
//   nested wrapper message in protobuf. Those are in `inlineMembers`.
// JSON names match the proto names except IngressClassParametersReference.apiGroup, which
// go-to-protobuf spells aPIGroup; the table is keyed by the JSON name.

export const fields: Record<string, Record<string, number>> = {
  // --- apps/v1 -------------------------------------------------------------------------------
  'io.k8s.api.apps.v1.ControllerRevision': { metadata: 1, data: 2, revision: 3 },
  'io.k8s.api.apps.v1.ControllerRevisionList': { metadata: 1, items: 2 },
  'io.k8s.api.apps.v1.DaemonSet': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.apps.v1.DaemonSetCondition': { type: 1, status: 2, lastTransitionTime: 3, reason: 4, message: 5 },
  'io.k8s.api.apps.v1.DaemonSetList': { metadata: 1, items: 2 },
  'io.k8s.api.apps.v1.DaemonSetSpec': { selector: 1, template: 2, updateStrategy: 3, minReadySeconds: 4, revisionHistoryLimit: 6 },
  'io.k8s.api.apps.v1.DaemonSetStatus': {
    currentNumberScheduled: 1,
    numberMisscheduled: 2,
    desiredNumberScheduled: 3,
    numberReady: 4,
    observedGeneration: 5,
    updatedNumberScheduled: 6,
    numberAvailable: 7,
    numberUnavailable: 8,
    collisionCount: 9,
    conditions: 10,
  },
  'io.k8s.api.apps.v1.DaemonSetUpdateStrategy': { type: 1, rollingUpdate: 2 },
  'io.k8s.api.apps.v1.Deployment': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.apps.v1.DeploymentCondition': { type: 1, status: 2, lastUpdateTime: 6, lastTransitionTime: 7, reason: 4, message: 5 },
  'io.k8s.api.apps.v1.DeploymentList': { metadata: 1, items: 2 },
  'io.k8s.api.apps.v1.DeploymentSpec': {
    replicas: 1,
    selector: 2,
    template: 3,
    strategy: 4,
    minReadySeconds: 5,
    revisionHistoryLimit: 6,
    paused: 7,
    progressDeadlineSeconds: 9,
  },
  'io.k8s.api.apps.v1.DeploymentStatus': {
    observedGeneration: 1,
    replicas: 2,
    updatedReplicas: 3,
    readyReplicas: 7,
    availableReplicas: 4,
    unavailableReplicas: 5,
    conditions: 6,
    collisionCount: 8,
  },
  'io.k8s.api.apps.v1.DeploymentStrategy': { type: 1, rollingUpdate: 2 },
  'io.k8s.api.apps.v1.ReplicaSet': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.apps.v1.ReplicaSetCondition': { type: 1, status: 2, lastTransitionTime: 3, reason: 4, message: 5 },
  'io.k8s.api.apps.v1.ReplicaSetList': { metadata: 1, items: 2 },
  'io.k8s.api.apps.v1.ReplicaSetSpec': { replicas: 1, selector: 2, template: 3, minReadySeconds: 4 },
  'io.k8s.api.apps.v1.ReplicaSetStatus': {
    replicas: 1,
    fullyLabeledReplicas: 2,
    observedGeneration: 3,
    readyReplicas: 4,
    availableReplicas: 5,
    conditions: 6,
  },
  'io.k8s.api.apps.v1.RollingUpdateDaemonSet': { maxUnavailable: 1, maxSurge: 2 },
  'io.k8s.api.apps.v1.RollingUpdateDeployment': { maxUnavailable: 1, maxSurge: 2 },
  'io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy': { partition: 1, maxUnavailable: 2 },
  'io.k8s.api.apps.v1.StatefulSet': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.apps.v1.StatefulSetCondition': { type: 1, status: 2, lastTransitionTime: 3, reason: 4, message: 5 },
  'io.k8s.api.apps.v1.StatefulSetList': { metadata: 1, items: 2 },
  'io.k8s.api.apps.v1.StatefulSetOrdinals': { start: 1 },
  'io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy': { whenDeleted: 1, whenScaled: 2 },
  'io.k8s.api.apps.v1.StatefulSetSpec': {
    replicas: 1,
    selector: 2,
    template: 3,
    volumeClaimTemplates: 4,
    serviceName: 5,
    podManagementPolicy: 6,
    updateStrategy: 7,
    revisionHistoryLimit: 8,
    minReadySeconds: 9,
    persistentVolumeClaimRetentionPolicy: 10,
    ordinals: 11,
  },
  'io.k8s.api.apps.v1.StatefulSetStatus': {
    observedGeneration: 1,
    replicas: 2,
    readyReplicas: 3,
    currentReplicas: 4,
    updatedReplicas: 5,
    currentRevision: 6,
    updateRevision: 7,
    collisionCount: 9,
    conditions: 10,
    availableReplicas: 11,
  },
  'io.k8s.api.apps.v1.StatefulSetUpdateStrategy': { type: 1, rollingUpdate: 2 },

  // --- batch/v1 ------------------------------------------------------------------------------
  'io.k8s.api.batch.v1.CronJob': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.batch.v1.CronJobList': { metadata: 1, items: 2 },
  'io.k8s.api.batch.v1.CronJobSpec': {
    schedule: 1,
    startingDeadlineSeconds: 2,
    concurrencyPolicy: 3,
    suspend: 4,
    jobTemplate: 5,
    successfulJobsHistoryLimit: 6,
    failedJobsHistoryLimit: 7,
    timeZone: 8,
  },
  'io.k8s.api.batch.v1.CronJobStatus': { active: 1, lastScheduleTime: 4, lastSuccessfulTime: 5 },
  'io.k8s.api.batch.v1.Job': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.batch.v1.JobCondition': { type: 1, status: 2, lastProbeTime: 3, lastTransitionTime: 4, reason: 5, message: 6 },
  'io.k8s.api.batch.v1.JobList': { metadata: 1, items: 2 },
  'io.k8s.api.batch.v1.JobSpec': {
    parallelism: 1,
    completions: 2,
    activeDeadlineSeconds: 3,
    selector: 4,
    manualSelector: 5,
    template: 6,
    backoffLimit: 7,
    ttlSecondsAfterFinished: 8,
    completionMode: 9,
    suspend: 10,
    podFailurePolicy: 11,
    backoffLimitPerIndex: 12,
    maxFailedIndexes: 13,
    podReplacementPolicy: 14,
    managedBy: 15,
    successPolicy: 16,
  },
  'io.k8s.api.batch.v1.JobStatus': {
    conditions: 1,
    startTime: 2,
    completionTime: 3,
    active: 4,
    succeeded: 5,
    failed: 6,
    completedIndexes: 7,
    uncountedTerminatedPods: 8,
    ready: 9,
    failedIndexes: 10,
    terminating: 11,
  },
  'io.k8s.api.batch.v1.JobTemplateSpec': { metadata: 1, spec: 2 },
  'io.k8s.api.batch.v1.PodFailurePolicy': { rules: 1 },
  'io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement': { containerName: 1, operator: 2, values: 3 },
  'io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern': { type: 1, status: 2 },
  'io.k8s.api.batch.v1.PodFailurePolicyRule': { action: 1, onExitCodes: 2, onPodConditions: 3 },
  'io.k8s.api.batch.v1.SuccessPolicy': { rules: 1 },
  'io.k8s.api.batch.v1.SuccessPolicyRule': { succeededIndexes: 1, succeededCount: 2 },
  'io.k8s.api.batch.v1.UncountedTerminatedPods': { succeeded: 1, failed: 2 },

  // --- autoscaling/v1 ------------------------------------------------------------------------
  'io.k8s.api.autoscaling.v1.CrossVersionObjectReference': { kind: 1, name: 2, apiVersion: 3 },
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerList': { metadata: 1, items: 2 },
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec': { scaleTargetRef: 1, minReplicas: 2, maxReplicas: 3, targetCPUUtilizationPercentage: 4 },
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus': {
    observedGeneration: 1,
    lastScaleTime: 2,
    currentReplicas: 3,
    desiredReplicas: 4,
    currentCPUUtilizationPercentage: 5,
  },
  'io.k8s.api.autoscaling.v1.Scale': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.autoscaling.v1.ScaleSpec': { replicas: 1 },
  'io.k8s.api.autoscaling.v1.ScaleStatus': { replicas: 1, selector: 2 },

  // --- autoscaling/v2 ------------------------------------------------------------------------
  'io.k8s.api.autoscaling.v2.ContainerResourceMetricSource': { name: 1, target: 2, container: 3 },
  'io.k8s.api.autoscaling.v2.ContainerResourceMetricStatus': { name: 1, current: 2, container: 3 },
  'io.k8s.api.autoscaling.v2.CrossVersionObjectReference': { kind: 1, name: 2, apiVersion: 3 },
  'io.k8s.api.autoscaling.v2.ExternalMetricSource': { metric: 1, target: 2 },
  'io.k8s.api.autoscaling.v2.ExternalMetricStatus': { metric: 1, current: 2 },
  'io.k8s.api.autoscaling.v2.HPAScalingPolicy': { type: 1, value: 2, periodSeconds: 3 },
  'io.k8s.api.autoscaling.v2.HPAScalingRules': { selectPolicy: 1, policies: 2, stabilizationWindowSeconds: 3 },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior': { scaleUp: 1, scaleDown: 2 },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition': { type: 1, status: 2, lastTransitionTime: 3, reason: 4, message: 5 },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerList': { metadata: 1, items: 2 },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec': { scaleTargetRef: 1, minReplicas: 2, maxReplicas: 3, metrics: 4, behavior: 5 },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus': {
    observedGeneration: 1,
    lastScaleTime: 2,
    currentReplicas: 3,
    desiredReplicas: 4,
    currentMetrics: 5,
    conditions: 6,
  },
  'io.k8s.api.autoscaling.v2.MetricIdentifier': { name: 1, selector: 2 },
  // containerResource is 7 upstream; 6 is unused.
  'io.k8s.api.autoscaling.v2.MetricSpec': { type: 1, object: 2, pods: 3, resource: 4, external: 5, containerResource: 7 },
  'io.k8s.api.autoscaling.v2.MetricStatus': { type: 1, object: 2, pods: 3, resource: 4, external: 5, containerResource: 7 },
  'io.k8s.api.autoscaling.v2.MetricTarget': { type: 1, value: 2, averageValue: 3, averageUtilization: 4 },
  'io.k8s.api.autoscaling.v2.MetricValueStatus': { value: 1, averageValue: 2, averageUtilization: 3 },
  'io.k8s.api.autoscaling.v2.ObjectMetricSource': { describedObject: 1, target: 2, metric: 3 },
  'io.k8s.api.autoscaling.v2.ObjectMetricStatus': { metric: 1, current: 2, describedObject: 3 },
  'io.k8s.api.autoscaling.v2.PodsMetricSource': { metric: 1, target: 2 },
  'io.k8s.api.autoscaling.v2.PodsMetricStatus': { metric: 1, current: 2 },
  'io.k8s.api.autoscaling.v2.ResourceMetricSource': { name: 1, target: 2 },
  'io.k8s.api.autoscaling.v2.ResourceMetricStatus': { name: 1, current: 2 },

  // --- networking.k8s.io/v1 ------------------------------------------------------------------
  'io.k8s.api.networking.v1.HTTPIngressPath': { path: 1, backend: 2, pathType: 3 },
  'io.k8s.api.networking.v1.HTTPIngressRuleValue': { paths: 1 },
  'io.k8s.api.networking.v1.IPBlock': { cidr: 1, except: 2 },
  'io.k8s.api.networking.v1.Ingress': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.networking.v1.IngressBackend': { resource: 3, service: 4 },
  'io.k8s.api.networking.v1.IngressClass': { metadata: 1, spec: 2 },
  'io.k8s.api.networking.v1.IngressClassList': { metadata: 1, items: 2 },
  'io.k8s.api.networking.v1.IngressClassParametersReference': { apiGroup: 1, kind: 2, name: 3, scope: 4, namespace: 5 },
  'io.k8s.api.networking.v1.IngressClassSpec': { controller: 1, parameters: 2 },
  'io.k8s.api.networking.v1.IngressList': { metadata: 1, items: 2 },
  'io.k8s.api.networking.v1.IngressLoadBalancerIngress': { ip: 1, hostname: 2, ports: 4 },
  'io.k8s.api.networking.v1.IngressLoadBalancerStatus': { ingress: 1 },
  'io.k8s.api.networking.v1.IngressPortStatus': { port: 1, protocol: 2, error: 3 },
  // http: see inlineMembers.
  'io.k8s.api.networking.v1.IngressRule': { host: 1 },
  'io.k8s.api.networking.v1.IngressServiceBackend': { name: 1, port: 2 },
  'io.k8s.api.networking.v1.IngressSpec': { defaultBackend: 1, tls: 2, rules: 3, ingressClassName: 4 },
  'io.k8s.api.networking.v1.IngressStatus': { loadBalancer: 1 },
  'io.k8s.api.networking.v1.IngressTLS': { hosts: 1, secretName: 2 },
  'io.k8s.api.networking.v1.NetworkPolicy': { metadata: 1, spec: 2 },
  'io.k8s.api.networking.v1.NetworkPolicyEgressRule': { ports: 1, to: 2 },
  'io.k8s.api.networking.v1.NetworkPolicyIngressRule': { ports: 1, from: 2 },
  'io.k8s.api.networking.v1.NetworkPolicyList': { metadata: 1, items: 2 },
  'io.k8s.api.networking.v1.NetworkPolicyPeer': { podSelector: 1, namespaceSelector: 2, ipBlock: 3 },
  'io.k8s.api.networking.v1.NetworkPolicyPort': { protocol: 1, port: 2, endPort: 3 },
  'io.k8s.api.networking.v1.NetworkPolicySpec': { podSelector: 1, ingress: 2, egress: 3, policyTypes: 4 },
  'io.k8s.api.networking.v1.ServiceBackendPort': { name: 1, number: 2 },

  // --- discovery.k8s.io/v1 -------------------------------------------------------------------
  'io.k8s.api.discovery.v1.Endpoint': {
    addresses: 1,
    conditions: 2,
    hostname: 3,
    targetRef: 4,
    deprecatedTopology: 5,
    nodeName: 6,
    zone: 7,
    hints: 8,
  },
  'io.k8s.api.discovery.v1.EndpointConditions': { ready: 1, serving: 2, terminating: 3 },
  'io.k8s.api.discovery.v1.EndpointHints': { forZones: 1 },
  'io.k8s.api.discovery.v1.EndpointPort': { name: 1, protocol: 2, port: 3, appProtocol: 4 },
  'io.k8s.api.discovery.v1.EndpointSlice': { metadata: 1, endpoints: 2, ports: 3, addressType: 4 },
  'io.k8s.api.discovery.v1.EndpointSliceList': { metadata: 1, items: 2 },
  'io.k8s.api.discovery.v1.ForZone': { name: 1 },

  // --- events.k8s.io/v1 ----------------------------------------------------------------------
  'io.k8s.api.events.v1.Event': {
    metadata: 1,
    eventTime: 2,
    series: 3,
    reportingController: 4,
    reportingInstance: 5,
    action: 6,
    reason: 7,
    regarding: 8,
    related: 9,
    note: 10,
    type: 11,
    deprecatedSource: 12,
    deprecatedFirstTimestamp: 13,
    deprecatedLastTimestamp: 14,
    deprecatedCount: 15,
  },
  'io.k8s.api.events.v1.EventList': { metadata: 1, items: 2 },
  'io.k8s.api.events.v1.EventSeries': { count: 1, lastObservedTime: 2 },

  // --- coordination.k8s.io/v1 ----------------------------------------------------------------
  'io.k8s.api.coordination.v1.Lease': { metadata: 1, spec: 2 },
  'io.k8s.api.coordination.v1.LeaseList': { metadata: 1, items: 2 },
  'io.k8s.api.coordination.v1.LeaseSpec': {
    holderIdentity: 1,
    leaseDurationSeconds: 2,
    acquireTime: 3,
    renewTime: 4,
    leaseTransitions: 5,
    strategy: 6,
    preferredHolder: 7,
  },

  // --- storage.k8s.io/v1 ---------------------------------------------------------------------
  'io.k8s.api.storage.v1.StorageClass': {
    metadata: 1,
    provisioner: 2,
    parameters: 3,
    reclaimPolicy: 4,
    mountOptions: 5,
    allowVolumeExpansion: 6,
    volumeBindingMode: 7,
    allowedTopologies: 8,
  },
  'io.k8s.api.storage.v1.StorageClassList': { metadata: 1, items: 2 },

  // --- rbac.authorization.k8s.io/v1 ----------------------------------------------------------
  'io.k8s.api.rbac.v1.AggregationRule': { clusterRoleSelectors: 1 },
  'io.k8s.api.rbac.v1.ClusterRole': { metadata: 1, rules: 2, aggregationRule: 3 },
  'io.k8s.api.rbac.v1.ClusterRoleBinding': { metadata: 1, subjects: 2, roleRef: 3 },
  'io.k8s.api.rbac.v1.ClusterRoleBindingList': { metadata: 1, items: 2 },
  'io.k8s.api.rbac.v1.ClusterRoleList': { metadata: 1, items: 2 },
  'io.k8s.api.rbac.v1.PolicyRule': { verbs: 1, apiGroups: 2, resources: 3, resourceNames: 4, nonResourceURLs: 5 },
  'io.k8s.api.rbac.v1.Role': { metadata: 1, rules: 2 },
  'io.k8s.api.rbac.v1.RoleBinding': { metadata: 1, subjects: 2, roleRef: 3 },
  'io.k8s.api.rbac.v1.RoleBindingList': { metadata: 1, items: 2 },
  'io.k8s.api.rbac.v1.RoleList': { metadata: 1, items: 2 },
  'io.k8s.api.rbac.v1.RoleRef': { apiGroup: 1, kind: 2, name: 3 },
  'io.k8s.api.rbac.v1.Subject': { kind: 1, apiGroup: 2, name: 3, namespace: 4 },

  // --- policy/v1 -----------------------------------------------------------------------------
  'io.k8s.api.policy.v1.Eviction': { metadata: 1, deleteOptions: 2 },
  'io.k8s.api.policy.v1.PodDisruptionBudget': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.policy.v1.PodDisruptionBudgetList': { metadata: 1, items: 2 },
  'io.k8s.api.policy.v1.PodDisruptionBudgetSpec': { minAvailable: 1, selector: 2, maxUnavailable: 3, unhealthyPodEvictionPolicy: 4 },
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': {
    observedGeneration: 1,
    disruptedPods: 2,
    disruptionsAllowed: 3,
    currentHealthy: 4,
    desiredHealthy: 5,
    expectedPods: 6,
    conditions: 7,
  },

  // --- scheduling.k8s.io/v1 ------------------------------------------------------------------
  'io.k8s.api.scheduling.v1.PriorityClass': { metadata: 1, value: 2, globalDefault: 3, description: 4, preemptionPolicy: 5 },
  'io.k8s.api.scheduling.v1.PriorityClassList': { metadata: 1, items: 2 },
};

/**
 * Members of an inline-embedded Go struct: struct name → JSON field → [number of the wrapper field
 * in the parent message, number of the member inside the wrapper message]. Decoding the parent's
 * wrapper field as a message and lifting these members onto the parent gives the JSON shape.
 */
export const inlineMembers: Record<string, Record<string, readonly [wrapper: number, member: number]>> = {
  // IngressRule embeds IngressRuleValue (field 2), whose only member is http (field 1).
  'io.k8s.api.networking.v1.IngressRule': { http: [2, 1] },
};
