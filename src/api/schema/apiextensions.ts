// Schemas of the apiextensions.k8s.io/v1 API types: CustomResourceDefinition and its parts, with
// JSONSchemaProps (recursive; JSON-valued fields such as default/example are kept as given).
import type { StructDef } from './dsl.js';
import { any, bool, int32, int64, kindFields, list, listOf, map, mapList, num, ref, str, struct, time } from './dsl.js';

const P = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
const gvk = (kind: string) => [{ group: 'apiextensions.k8s.io', version: 'v1', kind }];
const props = ref(`${P}.JSONSchemaProps`);

export const defs: StructDef[] = [
  struct(`${P}.CustomResourceDefinition`, {
    ...kindFields(),
    spec: ref(`${P}.CustomResourceDefinitionSpec`),
    status: ref(`${P}.CustomResourceDefinitionStatus`),
  }, { required: ['spec'], gvk: gvk('CustomResourceDefinition') }),
  listOf(`${P}.CustomResourceDefinition`, `${P}.CustomResourceDefinitionList`, gvk('CustomResourceDefinitionList')[0]!),
  struct(`${P}.CustomResourceDefinitionSpec`, {
    group: str(),
    names: ref(`${P}.CustomResourceDefinitionNames`),
    scope: str(),
    versions: list(ref(`${P}.CustomResourceDefinitionVersion`)),
    conversion: ref(`${P}.CustomResourceConversion`),
    preserveUnknownFields: bool(),
  }, { required: ['group', 'names', 'scope', 'versions'] }),
  struct(`${P}.CustomResourceDefinitionNames`, {
    plural: str(),
    singular: str(),
    shortNames: list(str()),
    kind: str(),
    listKind: str(),
    categories: list(str()),
  }, { required: ['plural', 'kind'] }),
  struct(`${P}.CustomResourceDefinitionVersion`, {
    name: str(),
    served: bool(),
    storage: bool(),
    deprecated: bool(),
    deprecationWarning: str(),
    schema: ref(`${P}.CustomResourceValidation`),
    subresources: ref(`${P}.CustomResourceSubresources`),
    additionalPrinterColumns: list(ref(`${P}.CustomResourceColumnDefinition`)),
    selectableFields: list(ref(`${P}.SelectableField`)),
  }, { required: ['name', 'served', 'storage'] }),
  struct(`${P}.SelectableField`, { jsonPath: str() }, { required: ['jsonPath'] }),
  struct(`${P}.CustomResourceColumnDefinition`, {
    name: str(),
    type: str(),
    format: str(),
    description: str(),
    priority: int32(),
    jsonPath: str(),
  }, { required: ['name', 'type', 'jsonPath'] }),
  struct(`${P}.CustomResourceValidation`, { openAPIV3Schema: props }),
  struct(`${P}.CustomResourceSubresources`, {
    status: any(),
    scale: ref(`${P}.CustomResourceSubresourceScale`),
  }),
  struct(`${P}.CustomResourceSubresourceScale`, {
    specReplicasPath: str(),
    statusReplicasPath: str(),
    labelSelectorPath: str(),
  }, { required: ['specReplicasPath', 'statusReplicasPath'] }),
  struct(`${P}.CustomResourceConversion`, {
    strategy: str(),
    webhook: ref(`${P}.WebhookConversion`),
  }, { required: ['strategy'] }),
  struct(`${P}.WebhookConversion`, { clientConfig: ref(`${P}.WebhookClientConfig`), conversionReviewVersions: list(str()) }, { required: ['conversionReviewVersions'] }),
  struct(`${P}.WebhookClientConfig`, { url: str(), service: ref(`${P}.ServiceReference`), caBundle: { type: 'string', format: 'byte' } }),
  struct(`${P}.ServiceReference`, { namespace: str(), name: str(), path: str(), port: int32() }, { required: ['namespace', 'name'] }),
  struct(`${P}.CustomResourceDefinitionStatus`, {
    conditions: mapList(ref(`${P}.CustomResourceDefinitionCondition`), 'type'),
    acceptedNames: ref(`${P}.CustomResourceDefinitionNames`),
    storedVersions: list(str()),
  }),
  struct(`${P}.CustomResourceDefinitionCondition`, {
    type: str(), status: str(), lastTransitionTime: time(), reason: str(), message: str(), observedGeneration: int64(),
  }, { required: ['type', 'status'] }),
  struct(`${P}.JSONSchemaProps`, {
    id: str(), $schema: str(), $ref: str(), description: str(), type: str(), format: str(), title: str(),
    default: any(), maximum: num(), exclusiveMaximum: bool(), minimum: num(), exclusiveMinimum: bool(),
    maxLength: int64(), minLength: int64(), pattern: str(), maxItems: int64(), minItems: int64(), uniqueItems: bool(),
    multipleOf: num(), enum: list(any()), maxProperties: int64(), minProperties: int64(), required: list(str()),
    items: any(), allOf: list(props), oneOf: list(props), anyOf: list(props), not: props,
    properties: map(props), additionalProperties: any(), patternProperties: map(props), dependencies: map(any()),
    additionalItems: any(), definitions: map(props), externalDocs: any(), example: any(), nullable: bool(),
    'x-kubernetes-preserve-unknown-fields': bool(), 'x-kubernetes-embedded-resource': bool(), 'x-kubernetes-int-or-string': bool(),
    'x-kubernetes-list-map-keys': list(str()), 'x-kubernetes-list-type': str(), 'x-kubernetes-map-type': str(),
    'x-kubernetes-validations': list(any()),
  }),
];
