// Protobuf field numbers of authorization.k8s.io/v1 and authentication.k8s.io/v1, from upstream's
// generated.proto of those packages (the wire format; see fields-groups.ts for the conventions).
// kubectl 1.32 sends `auth can-i` reviews as protobuf.
export const fields: Record<string, Record<string, number>> = {
  'io.k8s.api.authorization.v1.LocalSubjectAccessReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authorization.v1.NonResourceAttributes': { path: 1, verb: 2 },
  'io.k8s.api.authorization.v1.NonResourceRule': { verbs: 1, nonResourceURLs: 2 },
  'io.k8s.api.authorization.v1.ResourceAttributes': { namespace: 1, verb: 2, group: 3, version: 4, resource: 5, subresource: 6, name: 7 },
  'io.k8s.api.authorization.v1.ResourceRule': { verbs: 1, apiGroups: 2, resources: 3, resourceNames: 4 },
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec': { resourceAttributes: 1, nonResourceAttributes: 2 },
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec': { namespace: 1 },
  'io.k8s.api.authorization.v1.SubjectAccessReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authorization.v1.SubjectAccessReviewSpec': { resourceAttributes: 1, nonResourceAttributes: 2, user: 3, groups: 4, uid: 6 },
  'io.k8s.api.authorization.v1.SubjectAccessReviewStatus': { allowed: 1, reason: 2, evaluationError: 3, denied: 4 },
  'io.k8s.api.authorization.v1.SubjectRulesReviewStatus': { resourceRules: 1, nonResourceRules: 2, incomplete: 3, evaluationError: 4 },
  'io.k8s.api.authentication.v1.SelfSubjectReview': { metadata: 1, status: 2 },
  'io.k8s.api.authentication.v1.SelfSubjectReviewStatus': { userInfo: 1 },
  'io.k8s.api.authentication.v1.TokenReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authentication.v1.TokenReviewSpec': { token: 1, audiences: 2 },
  'io.k8s.api.authentication.v1.TokenReviewStatus': { authenticated: 1, user: 2, error: 3, audiences: 4 },
  'io.k8s.api.authentication.v1.UserInfo': { username: 1, uid: 2, groups: 3 },
  'io.k8s.api.authentication.v1.TokenRequest': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authentication.v1.TokenRequestSpec': { audiences: 1, boundObjectRef: 3, expirationSeconds: 4 },
  'io.k8s.api.authentication.v1.BoundObjectReference': { kind: 1, apiVersion: 2, name: 3, uid: 4 },
  'io.k8s.api.authentication.v1.TokenRequestStatus': { token: 1, expirationTimestamp: 2 },
};
