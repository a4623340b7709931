// What an authorizer sees and answers, as upstream's authorizer.Attributes and Decision: the user,
// the verb, and either a resource (group, resource, subresource, namespace, name) or a path.
export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface Attributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** Non-resource requests: the URL path. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export type Decision = 'allow' | 'deny' | 'noOpinion';

export interface AuthorizerResult {
  decision: Decision;
  /** Why not (shown after the forbidden message), or an evaluation error. */
  reason: string;
}

export interface Authorizer {
  authorize(a: Attributes): AuthorizerResult;
}

/** A rule as rbac.authorization.k8s.io/v1 PolicyRule spells it. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export function resourceAttributes(user: UserInfo, verb: string, r: { group?: string; version?: string; resource: string; subresource?: string; namespace?: string; name?: string }): Attributes {
  return { user, verb, isResourceRequest: true, path: '', apiGroup: r.group ?? '', apiVersion: r.version ?? '', resource: r.resource, subresource: r.subresource ?? '', namespace: r.namespace ?? '', name: r.name ?? '' };
}

export function pathAttributes(user: UserInfo, verb: string, path: string): Attributes {
  return { user, verb, isResourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}
