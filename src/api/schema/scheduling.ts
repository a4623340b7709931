// Schemas of scheduling.k8s.io/v1 (PriorityClass) as of Kubernetes v1.32.
import { bool, int32, kindFields, listOf, str, struct, type StructDef } from './dsl.js';

const SCHED = 'io.k8s.api.scheduling.v1';
const gvk = (kind: string) => ({ group: 'scheduling.k8s.io', version: 'v1', kind });

export const defs: StructDef[] = [
  struct(`${SCHED}.PriorityClass`, {
    ...kindFields(),
    value: int32(),
    globalDefault: bool(),
    description: str(),
    preemptionPolicy: str(['Never', 'PreemptLowerPriority']),
  }, {
    required: ['value'],
    gvk: [gvk('PriorityClass')],
  }),
  listOf(`${SCHED}.PriorityClass`, `${SCHED}.PriorityClassList`, gvk('PriorityClassList')),
];
