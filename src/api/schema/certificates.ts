// Schemas of certificates.k8s.io/v1 (CertificateSigningRequest) as of Kubernetes v1.32.
import { bytes, int32, kindFields, list, listOf, map, mapList, ref, str, struct, time, type StructDef } from './dsl.js';

const CERT = 'io.k8s.api.certificates.v1';
const gvk = (kind: string) => ({ group: 'certificates.k8s.io', version: 'v1', kind });

export const defs: StructDef[] = [
  struct(`${CERT}.CertificateSigningRequest`, { ...kindFields(), spec: ref(`${CERT}.CertificateSigningRequestSpec`), status: ref(`${CERT}.CertificateSigningRequestStatus`) }, {
    required: ['spec'],
    gvk: [gvk('CertificateSigningRequest')],
  }),
  struct(`${CERT}.CertificateSigningRequestSpec`, {
    request: bytes(),
    signerName: str(),
    expirationSeconds: int32(),
    usages: list(str()),
    username: str(),
    uid: str(),
    groups: list(str()),
    extra: map(list(str())),
  }, { required: ['request', 'signerName'] }),
  struct(`${CERT}.CertificateSigningRequestStatus`, {
    conditions: mapList(ref(`${CERT}.CertificateSigningRequestCondition`), 'type', { listType: 'map' }),
    certificate: bytes(),
  }),
  struct(`${CERT}.CertificateSigningRequestCondition`, {
    type: str(),
    status: str(),
    reason: str(),
    message: str(),
    lastUpdateTime: time(),
    lastTransitionTime: time(),
  }, { required: ['type', 'status'] }),
  listOf(`${CERT}.CertificateSigningRequest`, `${CERT}.CertificateSigningRequestList`, gvk('CertificateSigningRequestList')),
];
