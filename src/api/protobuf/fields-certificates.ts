// Protobuf field numbers of certificates.k8s.io/v1, from upstream's k8s.io/api/certificates/v1/
// generated.proto (same conventions as fields-groups.ts). kubectl's `certificate approve|deny` PUT
// the whole CSR this way. `extra` (a map of ExtraValue messages) is refused with a 415 by the
// decoder; kts sets no extra on requesters, so kubectl never sends one.

export const fields: Record<string, Record<string, number>> = {
  'io.k8s.api.certificates.v1.CertificateSigningRequest': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.certificates.v1.CertificateSigningRequestList': { metadata: 1, items: 2 },
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec': { request: 1, username: 2, uid: 3, groups: 4, usages: 5, extra: 6, signerName: 7, expirationSeconds: 8 },
  'io.k8s.api.certificates.v1.CertificateSigningRequestStatus': { conditions: 1, certificate: 2 },
  'io.k8s.api.certificates.v1.CertificateSigningRequestCondition': { type: 1, reason: 2, message: 3, lastUpdateTime: 4, lastTransitionTime: 5, status: 6 },
};

export const omitEmpty: Record<string, readonly string[]> = {
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec': ['uid', 'username'],
  'io.k8s.api.certificates.v1.CertificateSigningRequestCondition': ['message', 'reason'],
};

export const nullWhenAbsent: Record<string, readonly string[]> = {
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec': ['request'],
  'io.k8s.api.certificates.v1.CertificateSigningRequestList': ['items'],
};
