// Schemas of storage.k8s.io/v1 (StorageClass) as of Kubernetes v1.32. allowedTopologies uses the
// core/v1 TopologySelectorTerm, which core.ts defines (one definition per name in the registry).
import { bool, kindFields, list, listOf, map, ref, str, struct, type StructDef } from './dsl.js';

const STORAGE = 'io.k8s.api.storage.v1';
const CORE = 'io.k8s.api.core.v1';
const gvk = (kind: string) => ({ group: 'storage.k8s.io', version: 'v1', kind });

export const defs: StructDef[] = [
  struct(`${STORAGE}.StorageClass`, {
    ...kindFields(),
    provisioner: str(),
    parameters: map(str()),
    reclaimPolicy: str(['Delete', 'Recycle', 'Retain']),
    mountOptions: list(str()),
    allowVolumeExpansion: bool(),
    volumeBindingMode: str(),
    allowedTopologies: list(ref(`${CORE}.TopologySelectorTerm`)),
  }, {
    required: ['provisioner'],
    gvk: [gvk('StorageClass')],
  }),
  listOf(`${STORAGE}.StorageClass`, `${STORAGE}.StorageClassList`, gvk('StorageClassList')),
];
