// Storage key layout: /registry/<group/>resource/<namespace>/<name>, as kube-apiserver's etcd layout
// (core events and events.k8s.io events share one prefix, as upstream stores them once).
import type { ResourceInfo } from '../../api/resources.js';

export const REGISTRY_PREFIX = '/registry/';

export function resourcePrefix(info: Pick<ResourceInfo, 'group' | 'resource'>): string {
  const g = info.group === '' || info.group === 'events.k8s.io' ? '' : `${info.group}/`;
  return `${REGISTRY_PREFIX}${g}${info.resource}/`;
}

export function objectKey(info: Pick<ResourceInfo, 'group' | 'resource' | 'namespaced'>, namespace: string, name: string): string {
  return info.namespaced ? `${resourcePrefix(info)}${namespace}/${name}` : `${resourcePrefix(info)}${name}`;
}

/** The prefix to list: all namespaces, or one. */
export function listPrefix(info: Pick<ResourceInfo, 'group' | 'resource' | 'namespaced'>, namespace: string): string {
  return info.namespaced && namespace ? `${resourcePrefix(info)}${namespace}/` : resourcePrefix(info);
}
