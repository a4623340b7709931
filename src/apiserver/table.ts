// Converts objects and lists to meta.k8s.io/v1 Table responses using the per-kind printers.
import type { KObject } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import { tablePrinter, defaultPrinter } from '../api/printers/index.js';
import { customPrinter } from './crd/printer.js';

export function toTable(info: ResourceInfo, items: KObject[], listMeta: Record<string, unknown>, includeObject: string, withColumns = true): object {
  const printer = tablePrinter(info.group, info.resource) ?? customPrinter(info) ?? defaultPrinter;
  const now = Date.now();
  const rows = items.map((obj) => {
    const row: Record<string, unknown> = { cells: printer.row(obj, now) };
    const conditions = printer.conditions?.(obj);
    if (conditions?.length) row.conditions = conditions;
    if (includeObject === 'Object') row.object = obj;
    else if (includeObject !== 'None') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    return row;
  });
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta };
  table.columnDefinitions = withColumns ? printer.columns : null;
  table.rows = rows;
  return table;
}
