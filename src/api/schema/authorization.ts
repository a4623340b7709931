// Schemas of the review kinds of authorization.k8s.io/v1 (SubjectAccessReview,
// SelfSubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview) and
// authentication.k8s.io/v1 (TokenReview, SelfSubjectReview) as of Kubernetes v1.32. They are
// never stored: the API server answers a create with the status filled in.
import { bool, int64, kindFields, list, map, ref, str, struct, time, type StructDef } from './dsl.js';

const AZ = 'io.k8s.api.authorization.v1';
const AN = 'io.k8s.api.authentication.v1';
const az = (kind: string) => [{ group: 'authorization.k8s.io', version: 'v1', kind }];
const an = (kind: string) => [{ group: 'authentication.k8s.io', version: 'v1', kind }];

const review = (pkg: string, kind: string, spec: string, status: string, gvk: StructDef['gvk']) =>
  struct(`${pkg}.${kind}`, { ...kindFields(), spec: ref(`${pkg}.${spec}`), status: ref(`${pkg}.${status}`) }, { required: ['spec'], gvk });

export const defs: StructDef[] = [
  review(AZ, 'SubjectAccessReview', 'SubjectAccessReviewSpec', 'SubjectAccessReviewStatus', az('SubjectAccessReview')),
  review(AZ, 'SelfSubjectAccessReview', 'SelfSubjectAccessReviewSpec', 'SubjectAccessReviewStatus', az('SelfSubjectAccessReview')),
  review(AZ, 'LocalSubjectAccessReview', 'SubjectAccessReviewSpec', 'SubjectAccessReviewStatus', az('LocalSubjectAccessReview')),
  review(AZ, 'SelfSubjectRulesReview', 'SelfSubjectRulesReviewSpec', 'SubjectRulesReviewStatus', az('SelfSubjectRulesReview')),
  struct(`${AZ}.ResourceAttributes`, { namespace: str(), verb: str(), group: str(), version: str(), resource: str(), subresource: str(), name: str() }),
  struct(`${AZ}.NonResourceAttributes`, { path: str(), verb: str() }),
  struct(`${AZ}.SubjectAccessReviewSpec`, {
    resourceAttributes: ref(`${AZ}.ResourceAttributes`),
    nonResourceAttributes: ref(`${AZ}.NonResourceAttributes`),
    user: str(),
    groups: list(str()),
    extra: map(list(str())),
    uid: str(),
  }),
  struct(`${AZ}.SelfSubjectAccessReviewSpec`, { resourceAttributes: ref(`${AZ}.ResourceAttributes`), nonResourceAttributes: ref(`${AZ}.NonResourceAttributes`) }),
  struct(`${AZ}.SubjectAccessReviewStatus`, { allowed: bool(), denied: bool(), reason: str(), evaluationError: str() }, { required: ['allowed'] }),
  struct(`${AZ}.SelfSubjectRulesReviewSpec`, { namespace: str() }),
  struct(`${AZ}.ResourceRule`, { verbs: list(str()), apiGroups: list(str()), resources: list(str()), resourceNames: list(str()) }, { required: ['verbs'] }),
  struct(`${AZ}.NonResourceRule`, { verbs: list(str()), nonResourceURLs: list(str()) }, { required: ['verbs'] }),
  struct(`${AZ}.SubjectRulesReviewStatus`, {
    resourceRules: list(ref(`${AZ}.ResourceRule`)),
    nonResourceRules: list(ref(`${AZ}.NonResourceRule`)),
    incomplete: bool(),
    evaluationError: str(),
  }, { required: ['resourceRules', 'nonResourceRules', 'incomplete'] }),

  struct(`${AN}.TokenReview`, { ...kindFields(), spec: ref(`${AN}.TokenReviewSpec`), status: ref(`${AN}.TokenReviewStatus`) }, {
    required: ['spec'],
    gvk: an('TokenReview'),
  }),
  struct(`${AN}.TokenReviewSpec`, { token: str(), audiences: list(str()) }),
  struct(`${AN}.TokenReviewStatus`, { authenticated: bool(), user: ref(`${AN}.UserInfo`), audiences: list(str()), error: str() }),
  struct(`${AN}.UserInfo`, { username: str(), uid: str(), groups: list(str()), extra: map(list(str())) }),
  struct(`${AN}.SelfSubjectReview`, { ...kindFields(), status: ref(`${AN}.SelfSubjectReviewStatus`) }, { gvk: an('SelfSubjectReview') }),
  struct(`${AN}.SelfSubjectReviewStatus`, { userInfo: ref(`${AN}.UserInfo`) }),
  // TokenRequest: the serviceaccounts/token subresource's body (`kubectl create token` sends it as protobuf).
  struct(`${AN}.TokenRequest`, { ...kindFields(), spec: ref(`${AN}.TokenRequestSpec`), status: ref(`${AN}.TokenRequestStatus`) }, {
    required: ['spec'],
    gvk: an('TokenRequest'),
  }),
  struct(`${AN}.TokenRequestSpec`, { audiences: list(str()), expirationSeconds: int64(), boundObjectRef: ref(`${AN}.BoundObjectReference`) }, { required: ['audiences'] }),
  struct(`${AN}.BoundObjectReference`, { kind: str(), apiVersion: str(), name: str(), uid: str() }),
  struct(`${AN}.TokenRequestStatus`, { token: str(), expirationTimestamp: time() }, { required: ['token', 'expirationTimestamp'] }),
];
