// apps/v1 workloads: deployments, replica sets, stateful sets, daemon sets and controller
// revisions. Wide columns list the template's containers and images and the selector.

import { formatLabels, formatLabelSelector, selectorFromLabelSelector, type LabelSelectorSpec } from '../selectors/label-selector.js';
import { at, int, list, record, str, stringMap } from './access.js';
import { age, containerCells } from './format.js';
import { ageColumn, column, nameColumn, templateColumns, type TablePrinter } from './table.js';

const name = (obj: unknown): string => str(obj, 'metadata', 'name');
const selectorOf = (obj: unknown): LabelSelectorSpec | undefined => {
  const s = at(obj, 'spec', 'selector');
  return s === null || typeof s !== 'object' ? undefined : (s as LabelSelectorSpec);
};
const template = (obj: unknown): [string, string] => containerCells(record(obj, 'spec', 'template', 'spec'));

export const deploymentPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'Number of the pod with ready state'),
    column('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn(),
    ...templateColumns('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
  row(d, now) {
    // printDeployment prints selector.String() itself: "" when empty, "<invalid>" on error.
    let selector: string;
    try {
      selector = selectorFromLabelSelector(selectorOf(d)).toString();
    } catch {
      selector = '<invalid>';
    }
    const [names, images] = template(d);
    return [name(d), `${int(d, 'status', 'readyReplicas')}/${int(d, 'spec', 'replicas')}`, int(d, 'status', 'updatedReplicas'), int(d, 'status', 'availableReplicas'), age(d, now), names, images, selector];
  },
};

export const replicaSetPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'Replicas is the number of desired replicas.', { type: 'integer' }),
    column('Current', 'Replicas is the most recently observed number of replicas.', { type: 'integer' }),
    column('Ready', 'The number of ready replicas for this replica set.', { type: 'integer' }),
    ageColumn(),
    ...templateColumns('Selector is a label query over pods that should match the replica count.'),
  ],
  row(rs, now) {
    const [names, images] = template(rs);
    return [name(rs), int(rs, 'spec', 'replicas'), int(rs, 'status', 'replicas'), int(rs, 'status', 'readyReplicas'), age(rs, now), names, images, formatLabelSelector(selectorOf(rs))];
  },
};

export const statefulSetPrinter: TablePrinter = {
  columns: [nameColumn(), column('Ready', 'Number of the pod with ready state'), ageColumn(), ...templateColumns()],
  row(ss, now) {
    const [names, images] = template(ss);
    return [name(ss), `${int(ss, 'status', 'readyReplicas')}/${int(ss, 'spec', 'replicas')}`, age(ss, now), names, images];
  },
};

export const daemonSetPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', { type: 'integer' }),
    column('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', { type: 'integer' }),
    column('Ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', { type: 'integer' }),
    column('Up-to-date', 'The total number of nodes that are running updated daemon pod', { type: 'integer' }),
    column('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', { type: 'integer' }),
    column('Node Selector', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
    ageColumn(),
    ...templateColumns('A label query over pods that are managed by the daemon set.'),
  ],
  row(ds, now) {
    const [names, images] = template(ds);
    return [
      name(ds),
      int(ds, 'status', 'desiredNumberScheduled'),
      int(ds, 'status', 'currentNumberScheduled'),
      int(ds, 'status', 'numberReady'),
      int(ds, 'status', 'updatedNumberScheduled'),
      int(ds, 'status', 'numberAvailable'),
      formatLabels(stringMap(ds, 'spec', 'template', 'spec', 'nodeSelector')),
      age(ds, now),
      names,
      images,
      formatLabelSelector(selectorOf(ds)),
    ];
  },
};

/** "statefulset.apps/web" for the controlling owner, "<none>" without one. */
function controllerName(obj: unknown): string {
  const ref = list(obj, 'metadata', 'ownerReferences').find((r) => at(r, 'controller') === true);
  if (ref === undefined) return '<none>';
  const apiVersion = str(ref, 'apiVersion');
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = str(ref, 'kind');
  if (kind === '' && group === '') return str(ref, 'name');
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${str(ref, 'name')}`;
}

export const controllerRevisionPrinter: TablePrinter = {
  columns: [nameColumn(), column('Controller', 'Controller of the object'), column('Revision', 'Revision indicates the revision of the state represented by Data.'), ageColumn()],
  row: (cr, now) => [name(cr), controllerName(cr), int(cr, 'revision'), age(cr, now)],
};
