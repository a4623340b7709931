// Schemas of the apimachinery types shared by every API group (meta/v1 and version.Info):
// object and list metadata, selectors, owner references, Status, DeleteOptions, conditions,
// the discovery documents and WatchEvent. Patch metadata follows upstream's struct tags, since
// strategic merge patch and server-side apply read it from here.
import { builtinResources } from '../resources.js';
import type { StructDef } from './dsl.js';
import { any, bool, int32, int64, list, map, mapList, ref, setList, str, struct, time } from './dsl.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const m = (name: string): string => `${META}.${name}`;

type Gvk = { group: string; version: string; kind: string };

/** Every group/version kts serves (core first), in resources.ts order and without repeats. */
function servedGroupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const r of builtinResources) {
    for (const v of r.versions) {
      const key = `${r.group}/${v.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ group: r.group, version: v.version });
    }
  }
  return out;
}

/**
 * Upstream registers DeleteOptions and WatchEvent in every group-version (a DELETE body or a
 * watch frame may carry any served apiVersion), so their OpenAPI entries list all of them.
 */
const everyGroupVersion = (kind: string): Gvk[] => servedGroupVersions().map((gv) => ({ ...gv, kind }));
const coreV1 = (kind: string): Gvk[] => [{ group: '', version: 'v1', kind }];

export const defs: StructDef[] = [
  struct(m('ObjectMeta'), {
    name: str(),
    generateName: str(),
    namespace: str(),
    selfLink: str(),
    uid: str(),
    resourceVersion: str(),
    generation: int64(),
    creationTimestamp: time(),
    deletionTimestamp: time(),
    deletionGracePeriodSeconds: int64(),
    labels: map(str()),
    annotations: map(str()),
    ownerReferences: mapList(ref(m('OwnerReference')), 'uid'),
    finalizers: setList(str()),
    managedFields: list(ref(m('ManagedFieldsEntry'))),
  }),

  struct(m('ListMeta'), {
    selfLink: str(),
    resourceVersion: str(),
    continue: str(),
    remainingItemCount: int64(),
  }),

  struct(m('OwnerReference'), {
    apiVersion: str(),
    kind: str(),
    name: str(),
    uid: str(),
    controller: bool(),
    blockOwnerDeletion: bool(),
  }, { required: ['apiVersion', 'kind', 'name', 'uid'] }),

  struct(m('ManagedFieldsEntry'), {
    manager: str(),
    operation: str(),
    apiVersion: str(),
    time: time(),
    fieldsType: str(),
    // FieldsV1 is a trie of field paths; kept as opaque JSON.
    fieldsV1: any(),
    subresource: str(),
  }),

  struct(m('LabelSelector'), {
    matchLabels: map(str()),
    matchExpressions: list(ref(m('LabelSelectorRequirement'))),
  }),

  struct(m('LabelSelectorRequirement'), {
    key: str(),
    operator: str(),
    values: list(str()),
  }, { required: ['key', 'operator'] }),

  struct(m('Status'), {
    apiVersion: str(),
    kind: str(),
    metadata: ref(m('ListMeta')),
    status: str(),
    message: str(),
    reason: str(),
    details: ref(m('StatusDetails')),
    code: int32(),
  }, { gvk: coreV1('Status') }),

  struct(m('StatusDetails'), {
    name: str(),
    group: str(),
    kind: str(),
    uid: str(),
    causes: list(ref(m('StatusCause'))),
    retryAfterSeconds: int32(),
  }),

  struct(m('StatusCause'), {
    reason: str(),
    message: str(),
    field: str(),
  }),

  struct(m('DeleteOptions'), {
    apiVersion: str(),
    kind: str(),
    gracePeriodSeconds: int64(),
    preconditions: ref(m('Preconditions')),
    orphanDependents: bool(),
    propagationPolicy: str(),
    dryRun: list(str()),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool(),
  }, { gvk: everyGroupVersion('DeleteOptions') }),

  struct(m('Preconditions'), {
    uid: str(),
    resourceVersion: str(),
  }),

  struct(m('Condition'), {
    type: str(),
    status: str(),
    observedGeneration: int64(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  }, { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] }),

  // --- discovery ------------------------------------------------------------------------------

  struct(m('APIResource'), {
    name: str(),
    singularName: str(),
    namespaced: bool(),
    group: str(),
    version: str(),
    kind: str(),
    verbs: list(str()),
    shortNames: list(str()),
    categories: list(str()),
    storageVersionHash: str(),
  }, { required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'] }),

  struct(m('APIResourceList'), {
    kind: str(),
    apiVersion: str(),
    groupVersion: str(),
    resources: list(ref(m('APIResource'))),
  }, { required: ['groupVersion', 'resources'], gvk: coreV1('APIResourceList') }),

  struct(m('APIGroup'), {
    kind: str(),
    apiVersion: str(),
    name: str(),
    versions: list(ref(m('GroupVersionForDiscovery'))),
    preferredVersion: ref(m('GroupVersionForDiscovery')),
    serverAddressByClientCIDRs: list(ref(m('ServerAddressByClientCIDR'))),
  }, { required: ['name', 'versions'], gvk: coreV1('APIGroup') }),

  struct(m('APIGroupList'), {
    kind: str(),
    apiVersion: str(),
    groups: list(ref(m('APIGroup'))),
  }, { required: ['groups'], gvk: coreV1('APIGroupList') }),

  struct(m('APIVersions'), {
    kind: str(),
    apiVersion: str(),
    versions: list(str()),
    serverAddressByClientCIDRs: list(ref(m('ServerAddressByClientCIDR'))),
  }, { required: ['versions', 'serverAddressByClientCIDRs'], gvk: coreV1('APIVersions') }),

  struct(m('GroupVersionForDiscovery'), {
    groupVersion: str(),
    version: str(),
  }, { required: ['groupVersion', 'version'] }),

  struct(m('ServerAddressByClientCIDR'), {
    clientCIDR: str(),
    serverAddress: str(),
  }, { required: ['clientCIDR', 'serverAddress'] }),

  struct(m('WatchEvent'), {
    type: str(),
    // runtime.RawExtension: the object in whatever kind the watch serves.
    object: any(),
  }, { required: ['type', 'object'], gvk: everyGroupVersion('WatchEvent') }),

  struct('io.k8s.apimachinery.pkg.version.Info', {
    major: str(),
    minor: str(),
    gitVersion: str(),
    gitCommit: str(),
    gitTreeState: str(),
    buildDate: str(),
    goVersion: str(),
    compiler: str(),
    platform: str(),
  }, {
    required: ['major', 'minor', 'gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform'],
  }),
];
