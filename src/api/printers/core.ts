// The simpler core/v1 kinds: namespaces, configmaps, secrets, service accounts, replication
// controllers, resource quotas and component statuses.

import { formatLabels } from '../selectors/label-selector.js';
import { int, list, quantity, record, str, stringMap } from './access.js';
import { age, containerCells } from './format.js';
import { ageColumn, column, nameColumn, templateColumns, type TablePrinter } from './table.js';

const name = (obj: unknown): string => str(obj, 'metadata', 'name');
const count = (obj: unknown, ...path: string[]): number => Object.keys(record(obj, ...path)).length;

export const namespacePrinter: TablePrinter = {
  columns: [nameColumn(), column('Status', 'The status of the namespace'), ageColumn()],
  row: (ns, now) => [name(ns), str(ns, 'status', 'phase'), age(ns, now)],
};

export const configMapPrinter: TablePrinter = {
  columns: [nameColumn(), column('Data', 'Data contains the configuration data.'), ageColumn()],
  row: (cm, now) => [name(cm), count(cm, 'data') + count(cm, 'binaryData'), age(cm, now)],
};

export const secretPrinter: TablePrinter = {
  columns: [nameColumn(), column('Type', 'Used to facilitate programmatic handling of secret data.'), column('Data', 'Data contains the secret data.'), ageColumn()],
  row: (s, now) => [name(s), str(s, 'type'), count(s, 'data'), age(s, now)],
};

export const serviceAccountPrinter: TablePrinter = {
  columns: [nameColumn(), column('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn()],
  row: (sa, now) => [name(sa), list(sa, 'secrets').length, age(sa, now)],
};

export const replicationControllerPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'Replicas is the number of desired replicas.', { type: 'integer' }),
    column('Current', 'Replicas is the most recently observed number of replicas.', { type: 'integer' }),
    column('Ready', 'The number of ready replicas for this replication controller.', { type: 'integer' }),
    ageColumn(),
    ...templateColumns('Selector is a label query over pods that should match the Replicas count.'),
  ],
  row(rc, now) {
    const [names, images] = containerCells(record(rc, 'spec', 'template', 'spec'));
    return [name(rc), int(rc, 'spec', 'replicas'), int(rc, 'status', 'replicas'), int(rc, 'status', 'readyReplicas'), age(rc, now), names, images, formatLabels(stringMap(rc, 'spec', 'selector'))];
  },
};

/** REQUEST and LIMIT cells: "resource: used/hard, ..." sorted, limits.* in the second. */
export function quotaCells(rq: unknown): [string, string] {
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(record(rq, 'status', 'hard')).sort()) {
    const cell = `${resource}: ${quantity(rq, 'status', 'used', resource)}/${quantity(rq, 'status', 'hard', resource)}`;
    const parts = resource.split('.');
    (parts.length > 1 && parts[0] === 'limits' ? limits : requests).push(cell);
  }
  return [requests.join(', '), limits.join(', ')];
}

export const resourceQuotaPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    column('Limit', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    ageColumn(),
  ],
  row(rq, now) {
    const [requests, limits] = quotaCells(rq);
    return [name(rq), requests, limits, age(rq, now)];
  },
};

export const componentStatusPrinter: TablePrinter = {
  columns: [nameColumn(), column('Status', 'Status of the component conditions'), column('Message', 'Message of the component conditions'), column('Error', 'Error of the component conditions')],
  row(cs) {
    const healthy = list(cs, 'conditions').find((c) => str(c, 'type') === 'Healthy');
    if (healthy === undefined) return [name(cs), 'Unknown', '', ''];
    return [name(cs), str(healthy, 'status') === 'True' ? 'Healthy' : 'Unhealthy', str(healthy, 'message'), str(healthy, 'error')];
  },
};
