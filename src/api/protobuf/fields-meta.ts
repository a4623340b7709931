// Protobuf field numbers of the apimachinery meta/v1 structs (ObjectMeta, ListMeta, selectors, Status,
// DeleteOptions, discovery documents, WatchEvent), keyed by the schema DSL's struct names and JSON
// field names, in the format every fields-*.ts table shares (see docs/protobuf.md).
//
// The numbers are wire-format facts of k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto as of
// Kubernetes v1.32, read from the protobuf descriptors compiled into kubectl v1.32.4. They are listed
// in proto declaration order, so gaps (ObjectMeta has no 15 or 16) are upstream's, not omissions.
// apiVersion and kind of a served kind are not message fields: the runtime.Unknown envelope carries
// them. version.Info (/version) is JSON-only upstream and has no protobuf message.

export const fields: Record<string, Record<string, number>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    name: 1,
    generateName: 2,
    namespace: 3,
    selfLink: 4,
    uid: 5,
    resourceVersion: 6,
    generation: 7,
    creationTimestamp: 8,
    deletionTimestamp: 9,
    deletionGracePeriodSeconds: 10,
    labels: 11,
    annotations: 12,
    ownerReferences: 13,
    finalizers: 14,
    managedFields: 17,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': { selfLink: 1, resourceVersion: 2, continue: 3, remainingItemCount: 4 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': { apiVersion: 5, kind: 1, name: 3, uid: 4, controller: 6, blockOwnerDeletion: 7 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry': {
    manager: 1,
    operation: 2,
    apiVersion: 3,
    time: 4,
    fieldsType: 6,
    fieldsV1: 7,
    subresource: 8,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': { matchLabels: 1, matchExpressions: 2 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': { key: 1, operator: 2, values: 3 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status': { metadata: 1, status: 2, message: 3, reason: 4, details: 5, code: 6 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails': { name: 1, group: 2, kind: 3, uid: 6, causes: 4, retryAfterSeconds: 5 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause': { reason: 1, message: 2, field: 3 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions': {
    gracePeriodSeconds: 1,
    preconditions: 2,
    orphanDependents: 3,
    propagationPolicy: 4,
    dryRun: 5,
    ignoreStoreReadErrorWithClusterBreakingPotential: 6,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions': { uid: 1, resourceVersion: 2 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': {
    type: 1,
    status: 2,
    observedGeneration: 3,
    lastTransitionTime: 4,
    reason: 5,
    message: 6,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResource': {
    name: 1,
    singularName: 6,
    namespaced: 2,
    group: 8,
    version: 9,
    kind: 3,
    shortNames: 5,
    categories: 7,
    storageVersionHash: 10,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList': { groupVersion: 1, resources: 2 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup': { name: 1, versions: 2, preferredVersion: 3, serverAddressByClientCIDRs: 4 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList': { groups: 1 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions': { versions: 1, serverAddressByClientCIDRs: 2 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery': { groupVersion: 1, version: 2 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR': { clientCIDR: 1, serverAddress: 2 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent': { type: 1, object: 2 },
};

/**
 * Members that JSON and protobuf nest differently: struct → JSON field → [number of the wrapper field
 * in the message, number of the member inside the wrapper message].
 */
export const inlineMembers: Record<string, Record<string, readonly [wrapper: number, member: number]>> = {
  // APIResource.verbs is a []string on the JSON side but a `Verbs { repeated string items = 1 }` message.
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResource': { verbs: [4, 1] },
};
