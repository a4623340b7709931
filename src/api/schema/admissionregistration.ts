// Schemas of admissionregistration.k8s.io/v1 (Mutating/ValidatingWebhookConfiguration) as of
// Kubernetes v1.32. ValidatingAdmissionPolicy (CEL) is not served.
import { bytes, f, int32, kindFields, list, listOf, ref, str, struct, type StructDef } from './dsl.js';

const AR = 'io.k8s.api.admissionregistration.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (kind: string) => ({ group: 'admissionregistration.k8s.io', version: 'v1', kind });

const webhookCommon = {
  name: f(str(), 'The name of the admission webhook. Name should be fully qualified, e.g., imagepolicy.kubernetes.io.'),
  clientConfig: f(ref(`${AR}.WebhookClientConfig`), 'ClientConfig defines how to communicate with the hook. Required'),
  rules: f(list(ref(`${AR}.RuleWithOperations`)), 'Rules describes what operations on what resources/subresources the webhook cares about.'),
  failurePolicy: f(str(['Fail', 'Ignore']), 'FailurePolicy defines how unrecognized errors from the admission endpoint are handled - allowed values are Ignore or Fail. Defaults to Fail.'),
  matchPolicy: f(str(['Equivalent', 'Exact']), 'matchPolicy defines how the "rules" list is used to match incoming requests. Allowed values are "Exact" or "Equivalent". Defaults to "Equivalent"'),
  namespaceSelector: f(ref(`${META}.LabelSelector`), 'NamespaceSelector decides whether to run the webhook on an object based on whether the namespace for that object matches the selector. Default to the empty LabelSelector, which matches everything.'),
  objectSelector: f(ref(`${META}.LabelSelector`), 'ObjectSelector decides whether to run the webhook based on if the object has matching labels. Default to the empty LabelSelector, which matches everything.'),
  sideEffects: f(str(['None', 'NoneOnDryRun', 'Some', 'Unknown']), 'SideEffects states whether this webhook has side effects. Acceptable values are: None, NoneOnDryRun.'),
  timeoutSeconds: f(int32(), 'TimeoutSeconds specifies the timeout for this webhook. The timeout value must be between 1 and 30 seconds. Default to 10 seconds.'),
  admissionReviewVersions: f(list(str()), 'AdmissionReviewVersions is an ordered list of preferred `AdmissionReview` versions the Webhook expects.'),
  matchConditions: f(list(ref(`${AR}.MatchCondition`)), 'MatchConditions is a list of conditions that must be met for a request to be sent to this webhook (CEL; not supported by kts).'),
};

export const defs: StructDef[] = [
  struct(`${AR}.ServiceReference`, {
    namespace: f(str(), '`namespace` is the namespace of the service. Required'),
    name: f(str(), '`name` is the name of the service. Required'),
    path: f(str(), '`path` is an optional URL path which will be sent in any request to this service.'),
    port: f(int32(), 'If specified, the port on the service that hosting webhook. Default to 443 for backward compatibility.'),
  }, { required: ['namespace', 'name'], description: 'ServiceReference holds a reference to Service.legacy.k8s.io' }),
  struct(`${AR}.WebhookClientConfig`, {
    url: f(str(), '`url` gives the location of the webhook, in standard URL form (`scheme://host:port/path`). Exactly one of `url` or `service` must be specified.'),
    service: f(ref(`${AR}.ServiceReference`), '`service` is a reference to the service for this webhook. Either `service` or `url` must be specified.'),
    caBundle: f(bytes(), '`caBundle` is a PEM encoded CA bundle which will be used to validate the webhook\'s server certificate.'),
  }, { description: 'WebhookClientConfig contains the information to make a TLS connection with the webhook' }),
  struct(`${AR}.RuleWithOperations`, {
    operations: f(list(str()), 'Operations is the operations the admission hook cares about - CREATE, UPDATE, DELETE, CONNECT or * for all of those operations and any future admission operations that are added.'),
    apiGroups: f(list(str()), 'APIGroups is the API groups the resources belong to. \'*\' is all groups.'),
    apiVersions: f(list(str()), 'APIVersions is the API versions the resources belong to. \'*\' is all versions.'),
    resources: f(list(str()), 'Resources is a list of resources this rule applies to.'),
    scope: f(str(['Cluster', 'Namespaced', '*']), 'scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*". Default is "*".'),
  }, { description: 'RuleWithOperations is a tuple of Operations and Resources.' }),
  struct(`${AR}.MatchCondition`, {
    name: f(str(), 'Name is an identifier for this match condition.'),
    expression: f(str(), 'Expression represents the expression which will be evaluated by CEL.'),
  }, { required: ['name', 'expression'], description: 'MatchCondition represents a condition which must by fulfilled for a request to be sent to a webhook.' }),
  struct(`${AR}.MutatingWebhook`, {
    ...webhookCommon,
    reinvocationPolicy: f(str(['Never', 'IfNeeded']), 'reinvocationPolicy indicates whether this webhook should be called multiple times as part of a single admission evaluation. Allowed values are "Never" and "IfNeeded". Defaults to "Never".'),
  }, { required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'], description: 'MutatingWebhook describes an admission webhook and the resources and operations it applies to.' }),
  struct(`${AR}.ValidatingWebhook`, webhookCommon, {
    required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'],
    description: 'ValidatingWebhook describes an admission webhook and the resources and operations it applies to.',
  }),
  struct(`${AR}.MutatingWebhookConfiguration`, {
    ...kindFields(),
    webhooks: f({ ...list(ref(`${AR}.MutatingWebhook`)), patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', mapKeys: ['name'] }, 'Webhooks is a list of webhooks and the affected resources and operations.'),
  }, { description: 'MutatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject and may change the object.', gvk: [gvk('MutatingWebhookConfiguration')] }),
  struct(`${AR}.ValidatingWebhookConfiguration`, {
    ...kindFields(),
    webhooks: f({ ...list(ref(`${AR}.ValidatingWebhook`)), patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', mapKeys: ['name'] }, 'Webhooks is a list of webhooks and the affected resources and operations.'),
  }, { description: 'ValidatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject and object without changing it.', gvk: [gvk('ValidatingWebhookConfiguration')] }),
  listOf(`${AR}.MutatingWebhookConfiguration`, `${AR}.MutatingWebhookConfigurationList`, gvk('MutatingWebhookConfigurationList')),
  listOf(`${AR}.ValidatingWebhookConfiguration`, `${AR}.ValidatingWebhookConfigurationList`, gvk('ValidatingWebhookConfigurationList')),
];

