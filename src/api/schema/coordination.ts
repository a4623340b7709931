// Schemas of coordination.k8s.io/v1 (Lease) as of Kubernetes v1.32, including the coordinated
// leader election fields (strategy, preferredHolder) added to v1 in v1.31.
import { int32, kindFields, listOf, microTime, ref, str, struct, type StructDef } from './dsl.js';

const COORD = 'io.k8s.api.coordination.v1';
const gvk = (kind: string) => ({ group: 'coordination.k8s.io', version: 'v1', kind });

export const defs: StructDef[] = [
  struct(`${COORD}.Lease`, { ...kindFields(), spec: ref(`${COORD}.LeaseSpec`) }, { gvk: [gvk('Lease')] }),
  struct(`${COORD}.LeaseSpec`, {
    holderIdentity: str(),
    leaseDurationSeconds: int32(),
    acquireTime: microTime(),
    renewTime: microTime(),
    leaseTransitions: int32(),
    strategy: str(),
    preferredHolder: str(),
  }),
  listOf(`${COORD}.Lease`, `${COORD}.LeaseList`, gvk('LeaseList')),
];
