// Schemas of admissionregistration.k8s.io/v1 (Mutating/ValidatingWebhookConfiguration) as of
// Kubernetes v1.32. ValidatingAdmissionPolicy (CEL) is not served.
import { bytes, int32, kindFields, list, listOf, ref, str, struct, type StructDef } from './dsl.js';

const AR = 'io.k8s.api.admissionregistration.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (kind: string) => ({ group: 'admissionregistration.k8s.io', version: 'v1', kind });

const webhookCommon = {
  name: str(),
  clientConfig: ref(`${AR}.WebhookClientConfig`),
  rules: list(ref(`${AR}.RuleWithOperations`)),
  failurePolicy: str(['Fail', 'Ignore']),
  matchPolicy: str(['Equivalent', 'Exact']),
  namespaceSelector: ref(`${META}.LabelSelector`),
  objectSelector: ref(`${META}.LabelSelector`),
  sideEffects: str(['None', 'NoneOnDryRun', 'Some', 'Unknown']),
  timeoutSeconds: int32(),
  admissionReviewVersions: list(str()),
  matchConditions: list(ref(`${AR}.MatchCondition`)),
};

export const defs: StructDef[] = [
  struct(`${AR}.ServiceReference`, {
    namespace: str(),
    name: str(),
    path: str(),
    port: int32(),
  }, { required: ['namespace', 'name'] }),
  struct(`${AR}.WebhookClientConfig`, {
    url: str(),
    service: ref(`${AR}.ServiceReference`),
    caBundle: bytes(),
  }),
  struct(`${AR}.RuleWithOperations`, {
    operations: list(str()),
    apiGroups: list(str()),
    apiVersions: list(str()),
    resources: list(str()),
    scope: str(['Cluster', 'Namespaced', '*']),
  }),
  struct(`${AR}.MatchCondition`, {
    name: str(),
    expression: str(),
  }, { required: ['name', 'expression'] }),
  struct(`${AR}.MutatingWebhook`, {
    ...webhookCommon,
    reinvocationPolicy: str(['Never', 'IfNeeded']),
  }, { required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'] }),
  struct(`${AR}.ValidatingWebhook`, webhookCommon, {
    required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'],
  }),
  struct(`${AR}.MutatingWebhookConfiguration`, {
    ...kindFields(),
    webhooks: { ...list(ref(`${AR}.MutatingWebhook`)), patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', mapKeys: ['name'] },
  }, { gvk: [gvk('MutatingWebhookConfiguration')] }),
  struct(`${AR}.ValidatingWebhookConfiguration`, {
    ...kindFields(),
    webhooks: { ...list(ref(`${AR}.ValidatingWebhook`)), patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', mapKeys: ['name'] },
  }, { gvk: [gvk('ValidatingWebhookConfiguration')] }),
  listOf(`${AR}.MutatingWebhookConfiguration`, `${AR}.MutatingWebhookConfigurationList`, gvk('MutatingWebhookConfigurationList')),
  listOf(`${AR}.ValidatingWebhookConfiguration`, `${AR}.ValidatingWebhookConfigurationList`, gvk('ValidatingWebhookConfigurationList')),
];

