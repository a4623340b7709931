// Schemas of policy/v1 (PodDisruptionBudget, and Eviction: the body of pods/eviction) as of
// Kubernetes v1.32.
import { f, int32, int64, intOrString, kindFields, listOf, map, mapList, ref, str, struct, time, type StructDef } from './dsl.js';

const POLICY = 'io.k8s.api.policy.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (kind: string) => ({ group: 'policy', version: 'v1', kind });

export const defs: StructDef[] = [
  struct(`${POLICY}.PodDisruptionBudget`, {
    ...kindFields(),
    spec: ref(`${POLICY}.PodDisruptionBudgetSpec`),
    status: ref(`${POLICY}.PodDisruptionBudgetStatus`),
  }, { gvk: [gvk('PodDisruptionBudget')] }),
  struct(`${POLICY}.PodDisruptionBudgetSpec`, {
    minAvailable: intOrString(),
    // patchStrategy replace upstream: merging two selectors would select a different set of pods.
    selector: f(ref(`${META}.LabelSelector`), undefined, 'replace'),
    maxUnavailable: intOrString(),
    unhealthyPodEvictionPolicy: str(['AlwaysAllow', 'IfHealthyBudget']),
  }),
  struct(`${POLICY}.PodDisruptionBudgetStatus`, {
    observedGeneration: int64(),
    disruptedPods: map(time()),
    disruptionsAllowed: int32(),
    currentHealthy: int32(),
    desiredHealthy: int32(),
    expectedPods: int32(),
    conditions: mapList(ref(`${META}.Condition`), 'type'),
  }, { required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] }),
  listOf(`${POLICY}.PodDisruptionBudget`, `${POLICY}.PodDisruptionBudgetList`, gvk('PodDisruptionBudgetList')),
  struct(`${POLICY}.Eviction`, { ...kindFields(), deleteOptions: ref(`${META}.DeleteOptions`) }, { gvk: [gvk('Eviction')] }),
];
