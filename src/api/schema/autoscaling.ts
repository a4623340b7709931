// Schemas of autoscaling/v1 (HorizontalPodAutoscaler, and Scale: the body of every /scale
// subresource) and autoscaling/v2 (HorizontalPodAutoscaler with metrics and behavior), as of
// Kubernetes v1.32. The two HPA versions are separate definitions with separate gvks.
import { int32, int64, kindFields, list, listOf, mapList, quantity, ref, str, struct, time, type StructDef } from './dsl.js';

const V1 = 'io.k8s.api.autoscaling.v1';
const V2 = 'io.k8s.api.autoscaling.v2';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (version: string, kind: string) => ({ group: 'autoscaling', version, kind });

const crossVersionObjectReference = (pkg: string) =>
  struct(`${pkg}.CrossVersionObjectReference`, { kind: str(), name: str(), apiVersion: str() }, { required: ['kind', 'name'] });

const v1: StructDef[] = [
  struct(`${V1}.HorizontalPodAutoscaler`, { ...kindFields(), spec: ref(`${V1}.HorizontalPodAutoscalerSpec`), status: ref(`${V1}.HorizontalPodAutoscalerStatus`) }, { gvk: [gvk('v1', 'HorizontalPodAutoscaler')] }),
  struct(`${V1}.HorizontalPodAutoscalerSpec`, {
    scaleTargetRef: ref(`${V1}.CrossVersionObjectReference`),
    minReplicas: int32(),
    maxReplicas: int32(),
    targetCPUUtilizationPercentage: int32(),
  }, { required: ['scaleTargetRef', 'maxReplicas'] }),
  struct(`${V1}.HorizontalPodAutoscalerStatus`, {
    observedGeneration: int64(),
    lastScaleTime: time(),
    currentReplicas: int32(),
    desiredReplicas: int32(),
    currentCPUUtilizationPercentage: int32(),
  }, { required: ['currentReplicas', 'desiredReplicas'] }),
  crossVersionObjectReference(V1),
  listOf(`${V1}.HorizontalPodAutoscaler`, `${V1}.HorizontalPodAutoscalerList`, gvk('v1', 'HorizontalPodAutoscalerList')),

  struct(`${V1}.Scale`, { ...kindFields(), spec: ref(`${V1}.ScaleSpec`), status: ref(`${V1}.ScaleStatus`) }, { gvk: [gvk('v1', 'Scale')] }),
  struct(`${V1}.ScaleSpec`, { replicas: int32() }),
  // selector is the label query in string form (as in `kubectl get -l`), not a LabelSelector.
  struct(`${V1}.ScaleStatus`, { replicas: int32(), selector: str() }, { required: ['replicas'] }),
];

const metricSources: StructDef[] = [
  struct(`${V2}.MetricSpec`, {
    type: str(),
    object: ref(`${V2}.ObjectMetricSource`),
    pods: ref(`${V2}.PodsMetricSource`),
    resource: ref(`${V2}.ResourceMetricSource`),
    containerResource: ref(`${V2}.ContainerResourceMetricSource`),
    external: ref(`${V2}.ExternalMetricSource`),
  }, { required: ['type'] }),
  struct(`${V2}.ObjectMetricSource`, {
    describedObject: ref(`${V2}.CrossVersionObjectReference`),
    target: ref(`${V2}.MetricTarget`),
    metric: ref(`${V2}.MetricIdentifier`),
  }, { required: ['describedObject', 'target', 'metric'] }),
  struct(`${V2}.PodsMetricSource`, { metric: ref(`${V2}.MetricIdentifier`), target: ref(`${V2}.MetricTarget`) }, { required: ['metric', 'target'] }),
  struct(`${V2}.ResourceMetricSource`, { name: str(), target: ref(`${V2}.MetricTarget`) }, { required: ['name', 'target'] }),
  struct(`${V2}.ContainerResourceMetricSource`, { name: str(), target: ref(`${V2}.MetricTarget`), container: str() }, { required: ['name', 'target', 'container'] }),
  struct(`${V2}.ExternalMetricSource`, { metric: ref(`${V2}.MetricIdentifier`), target: ref(`${V2}.MetricTarget`) }, { required: ['metric', 'target'] }),
  struct(`${V2}.MetricIdentifier`, { name: str(), selector: ref(`${META}.LabelSelector`) }, { required: ['name'] }),
  struct(`${V2}.MetricTarget`, { type: str(), value: quantity(), averageValue: quantity(), averageUtilization: int32() }, { required: ['type'] }),
];

const metricStatuses: StructDef[] = [
  struct(`${V2}.MetricStatus`, {
    type: str(),
    object: ref(`${V2}.ObjectMetricStatus`),
    pods: ref(`${V2}.PodsMetricStatus`),
    resource: ref(`${V2}.ResourceMetricStatus`),
    containerResource: ref(`${V2}.ContainerResourceMetricStatus`),
    external: ref(`${V2}.ExternalMetricStatus`),
  }, { required: ['type'] }),
  struct(`${V2}.ObjectMetricStatus`, {
    metric: ref(`${V2}.MetricIdentifier`),
    current: ref(`${V2}.MetricValueStatus`),
    describedObject: ref(`${V2}.CrossVersionObjectReference`),
  }, { required: ['metric', 'current', 'describedObject'] }),
  struct(`${V2}.PodsMetricStatus`, { metric: ref(`${V2}.MetricIdentifier`), current: ref(`${V2}.MetricValueStatus`) }, { required: ['metric', 'current'] }),
  struct(`${V2}.ResourceMetricStatus`, { name: str(), current: ref(`${V2}.MetricValueStatus`) }, { required: ['name', 'current'] }),
  struct(`${V2}.ContainerResourceMetricStatus`, { name: str(), current: ref(`${V2}.MetricValueStatus`), container: str() }, { required: ['name', 'current', 'container'] }),
  struct(`${V2}.ExternalMetricStatus`, { metric: ref(`${V2}.MetricIdentifier`), current: ref(`${V2}.MetricValueStatus`) }, { required: ['metric', 'current'] }),
  struct(`${V2}.MetricValueStatus`, { value: quantity(), averageValue: quantity(), averageUtilization: int32() }),
];

const v2: StructDef[] = [
  struct(`${V2}.HorizontalPodAutoscaler`, { ...kindFields(), spec: ref(`${V2}.HorizontalPodAutoscalerSpec`), status: ref(`${V2}.HorizontalPodAutoscalerStatus`) }, { gvk: [gvk('v2', 'HorizontalPodAutoscaler')] }),
  struct(`${V2}.HorizontalPodAutoscalerSpec`, {
    scaleTargetRef: ref(`${V2}.CrossVersionObjectReference`),
    minReplicas: int32(),
    maxReplicas: int32(),
    metrics: list(ref(`${V2}.MetricSpec`)),
    behavior: ref(`${V2}.HorizontalPodAutoscalerBehavior`),
  }, { required: ['scaleTargetRef', 'maxReplicas'] }),
  struct(`${V2}.HorizontalPodAutoscalerBehavior`, { scaleUp: ref(`${V2}.HPAScalingRules`), scaleDown: ref(`${V2}.HPAScalingRules`) }),
  struct(`${V2}.HPAScalingRules`, {
    stabilizationWindowSeconds: int32(),
    selectPolicy: str(),
    policies: list(ref(`${V2}.HPAScalingPolicy`)),
  }),
  struct(`${V2}.HPAScalingPolicy`, { type: str(), value: int32(), periodSeconds: int32() }, { required: ['type', 'value', 'periodSeconds'] }),
  struct(`${V2}.HorizontalPodAutoscalerStatus`, {
    observedGeneration: int64(),
    lastScaleTime: time(),
    currentReplicas: int32(),
    desiredReplicas: int32(),
    currentMetrics: list(ref(`${V2}.MetricStatus`)),
    conditions: mapList(ref(`${V2}.HorizontalPodAutoscalerCondition`), 'type'),
  }, { required: ['desiredReplicas'] }),
  struct(`${V2}.HorizontalPodAutoscalerCondition`, {
    type: str(),
    status: str(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  }, { required: ['type', 'status'] }),
  crossVersionObjectReference(V2),
  ...metricSources,
  ...metricStatuses,
  listOf(`${V2}.HorizontalPodAutoscaler`, `${V2}.HorizontalPodAutoscalerList`, gvk('v2', 'HorizontalPodAutoscalerList')),
];

export const defs: StructDef[] = [...v1, ...v2];
