// policy/v1 PodDisruptionBudgets, scheduling.k8s.io PriorityClasses and coordination.k8s.io
// Leases: the small cluster-policy kinds.

import { at, int, intOrString, str } from './access.js';
import { age } from './format.js';
import { ageColumn, column, nameColumn, type TablePrinter } from './table.js';

const name = (obj: unknown): string => str(obj, 'metadata', 'name');
const orNA = (v: unknown): string => (v === undefined || v === null ? 'N/A' : intOrString(v));

export const podDisruptionBudgetPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Min Available', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', { type: 'integer' }),
    ageColumn(),
  ],
  row: (pdb, now) => [name(pdb), orNA(at(pdb, 'spec', 'minAvailable')), orNA(at(pdb, 'spec', 'maxUnavailable')), int(pdb, 'status', 'disruptionsAllowed'), age(pdb, now)],
};

export const priorityClassPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Value', 'value represents the integer value of this priority class.', { type: 'integer' }),
    column('Global-Default', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.', { type: 'boolean' }),
    ageColumn(),
    column('PreemptionPolicy', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  row: (pc, now) => [name(pc), int(pc, 'value'), at(pc, 'globalDefault') === true, age(pc, now), str(pc, 'preemptionPolicy')],
};

export const leasePrinter: TablePrinter = {
  columns: [nameColumn(), column('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn()],
  row: (lease, now) => [name(lease), str(lease, 'spec', 'holderIdentity'), age(lease, now)],
};
