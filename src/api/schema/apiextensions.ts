// Schemas of the apiextensions.k8s.io/v1 API types: CustomResourceDefinition and its parts, with
// JSONSchemaProps (recursive; JSON-valued fields such as default/example are kept as given).
import type { StructDef } from './dsl.js';
import { any, bool, f, int32, int64, kindFields, list, listOf, map, mapList, num, ref, str, struct, time } from './dsl.js';

const P = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
const gvk = (kind: string) => [{ group: 'apiextensions.k8s.io', version: 'v1', kind }];
const props = ref(`${P}.JSONSchemaProps`);

export const defs: StructDef[] = [
  struct(`${P}.CustomResourceDefinition`, {
    ...kindFields(),
    spec: f(ref(`${P}.CustomResourceDefinitionSpec`), 'spec describes how the user wants the resources to appear'),
    status: f(ref(`${P}.CustomResourceDefinitionStatus`), 'status indicates the actual state of the CustomResourceDefinition'),
  }, { required: ['spec'], gvk: gvk('CustomResourceDefinition'), description: 'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.' }),
  listOf(`${P}.CustomResourceDefinition`, `${P}.CustomResourceDefinitionList`, gvk('CustomResourceDefinitionList')[0]!),
  struct(`${P}.CustomResourceDefinitionSpec`, {
    group: f(str(), 'group is the API group of the defined custom resource.'),
    names: f(ref(`${P}.CustomResourceDefinitionNames`), 'names specify the resource and kind names for the custom resource.'),
    scope: f(str(), 'scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.'),
    versions: f(list(ref(`${P}.CustomResourceDefinitionVersion`)), 'versions is the list of all API versions of the defined custom resource.'),
    conversion: f(ref(`${P}.CustomResourceConversion`), 'conversion defines conversion settings for the CRD.'),
    preserveUnknownFields: f(bool(), 'preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage.'),
  }, { required: ['group', 'names', 'scope', 'versions'] }),
  struct(`${P}.CustomResourceDefinitionNames`, {
    plural: f(str(), 'plural is the plural name of the resource to serve.'),
    singular: f(str(), 'singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`.'),
    shortNames: f(list(str()), 'shortNames are short names for the resource, exposed in API discovery documents.'),
    kind: f(str(), 'kind is the serialized kind of the resource. It is normally CamelCase and singular.'),
    listKind: f(str(), 'listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".'),
    categories: f(list(str()), 'categories is a list of grouped resources this custom resource belongs to (e.g. \'all\').'),
  }, { required: ['plural', 'kind'] }),
  struct(`${P}.CustomResourceDefinitionVersion`, {
    name: f(str(), 'name is the version name, e.g. “v1”, “v2beta1”, etc.'),
    served: f(bool(), 'served is a flag enabling/disabling this version from being served via REST APIs'),
    storage: f(bool(), 'storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true.'),
    deprecated: f(bool(), 'deprecated indicates this version of the custom resource API is deprecated.'),
    deprecationWarning: f(str(), 'deprecationWarning overrides the default warning returned to API clients.'),
    schema: f(ref(`${P}.CustomResourceValidation`), 'schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.'),
    subresources: f(ref(`${P}.CustomResourceSubresources`), 'subresources specify what subresources this version of the defined custom resource have.'),
    additionalPrinterColumns: f(list(ref(`${P}.CustomResourceColumnDefinition`)), 'additionalPrinterColumns specifies additional columns returned in Table output.'),
    selectableFields: f(list(ref(`${P}.SelectableField`)), 'selectableFields specifies paths to fields that may be used as field selectors.'),
  }, { required: ['name', 'served', 'storage'] }),
  struct(`${P}.SelectableField`, { jsonPath: str() }, { required: ['jsonPath'] }),
  struct(`${P}.CustomResourceColumnDefinition`, {
    name: f(str(), 'name is a human readable name for the column.'),
    type: f(str(), 'type is an OpenAPI type definition for this column.'),
    format: f(str(), 'format is an optional OpenAPI type definition for this column.'),
    description: f(str(), 'description is a human readable description of this column.'),
    priority: f(int32(), 'priority is an integer defining the relative importance of this column compared to others.'),
    jsonPath: f(str(), 'jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column.'),
  }, { required: ['name', 'type', 'jsonPath'] }),
  struct(`${P}.CustomResourceValidation`, { openAPIV3Schema: f(props, 'openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.') }),
  struct(`${P}.CustomResourceSubresources`, {
    status: f(any(), 'status indicates the custom resource should serve a `/status` subresource.'),
    scale: f(ref(`${P}.CustomResourceSubresourceScale`), 'scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.'),
  }),
  struct(`${P}.CustomResourceSubresourceScale`, {
    specReplicasPath: str(),
    statusReplicasPath: str(),
    labelSelectorPath: str(),
  }, { required: ['specReplicasPath', 'statusReplicasPath'] }),
  struct(`${P}.CustomResourceConversion`, {
    strategy: f(str(), 'strategy specifies how custom resources are converted between versions. Allowed values are: - `"None"` - `"Webhook"`.'),
    webhook: f(ref(`${P}.WebhookConversion`), 'webhook describes how to call the conversion webhook.'),
  }, { required: ['strategy'] }),
  struct(`${P}.WebhookConversion`, { clientConfig: ref(`${P}.WebhookClientConfig`), conversionReviewVersions: list(str()) }, { required: ['conversionReviewVersions'] }),
  struct(`${P}.WebhookClientConfig`, { url: str(), service: ref(`${P}.ServiceReference`), caBundle: { type: 'string', format: 'byte' } }),
  struct(`${P}.ServiceReference`, { namespace: str(), name: str(), path: str(), port: int32() }, { required: ['namespace', 'name'] }),
  struct(`${P}.CustomResourceDefinitionStatus`, {
    conditions: f(mapList(ref(`${P}.CustomResourceDefinitionCondition`), 'type'), 'conditions indicate state for particular aspects of a CustomResourceDefinition'),
    acceptedNames: f(ref(`${P}.CustomResourceDefinitionNames`), 'acceptedNames are the names that are actually being used to serve discovery.'),
    storedVersions: f(list(str()), 'storedVersions lists all versions of CustomResources that were ever persisted.'),
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
  }, { description: 'JSONSchemaProps is a JSON-Schema following Specification Draft 4 (http://json-schema.org/).' }),
];
