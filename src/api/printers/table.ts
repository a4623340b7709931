// The shapes of server-side `as=Table` output (meta.k8s.io/v1 Table) that the printers produce,
// and the column definitions every printer shares (Name, Age) with upstream's descriptions.

import type { KObject } from '../types.js';

export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type of the cells: string, integer, number, boolean, date. */
  type: string;
  /** `name` marks the column holding the object's name; otherwise empty. */
  format: string;
  description: string;
  /** 0 for default columns; 1 and above are shown only with `-o wide`. */
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface TablePrinter {
  columns: TableColumnDefinition[];
  /** One cell per column (wide columns included, as the apiserver always prints wide). */
  row(obj: KObject, now: number): unknown[];
  /** Row conditions (e.g. Completed for finished pods), when the kind has any. */
  conditions?(obj: KObject): TableRowCondition[] | undefined;
}

/** metav1.ObjectMeta's OpenAPI descriptions, which upstream reuses for the Name and Age columns. */
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** A column; `type` defaults to string and `priority` to 0. */
export function column(name: string, description: string, opts: { type?: string; priority?: number; format?: string } = {}): TableColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

export const nameColumn = (): TableColumnDefinition => column('Name', NAME_DESCRIPTION, { format: 'name' });
export const ageColumn = (): TableColumnDefinition => column('Age', CREATION_TIMESTAMP_DESCRIPTION);

/** The three wide columns workload printers share. */
export function templateColumns(selectorDescription?: string): TableColumnDefinition[] {
  const cols = [column('Containers', 'Names of each container in the template.', { priority: 1 }), column('Images', 'Images referenced by each container in the template.', { priority: 1 })];
  if (selectorDescription !== undefined) cols.push(column('Selector', selectorDescription, { priority: 1 }));
  return cols;
}
