// Table output for custom resources from the CRD's additionalPrinterColumns (upstream's
// apiextensions tableconvertor): Name, then each column evaluated with a simple JSONPath
// (`.spec.x`, `.items[0].name`, `.metadata.creationTimestamp`); `date` columns print as ages.
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { TablePrinter, TableColumnDefinition } from '../../api/printers/index.js';
import { humanDuration } from '../../api/printers/index.js';
import type { PrinterColumn } from './types.js';

const NAME_DESCRIPTION = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** Printers of served custom resources, by their (per-server) ResourceInfo object. */
const printers = new WeakMap<ResourceInfo, TablePrinter>();

export function customPrinter(info: ResourceInfo): TablePrinter | undefined {
  return printers.get(info);
}

export function setCustomPrinter(info: ResourceInfo, columns: PrinterColumn[] | undefined): void {
  printers.set(info, columnsPrinter(columns));
}

/** Without columns the CRD gets upstream's default single Age column. */
export function columnsPrinter(given: PrinterColumn[] | undefined): TablePrinter {
  const cols = given?.length ? given : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  const columns: TableColumnDefinition[] = [
    { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 },
    ...cols.map((c) => ({ name: c.name ?? '', type: c.type ?? 'string', format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
  ];
  return {
    columns,
    row: (obj: KObject, now: number) => [obj.metadata.name ?? '', ...cols.map((c) => cell(obj, c, now))],
  };
}

function cell(obj: KObject, c: PrinterColumn, now: number): unknown {
  const v = evalPath(obj, c.jsonPath ?? '');
  if (v === undefined || v === null) return null;
  if (c.type === 'date' && typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? v : humanDuration(now - t);
  }
  if (c.type === 'integer' || c.type === 'number') return typeof v === 'number' ? v : null;
  if (c.type === 'boolean') return typeof v === 'boolean' ? v : null;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Evaluates `.a.b[0].c` or `{.a.b}`; unsupported syntax yields undefined. */
export function evalPath(obj: unknown, path: string): unknown {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  const parts = p.match(/\.[^.[\]]+|\[\d+\]|\['[^']+'\]/g) ?? [];
  let cur: unknown = obj;
  for (const part of parts) {
    if (cur === undefined || cur === null) return undefined;
    if (part.startsWith('[\'')) cur = isPlainObject(cur) ? cur[part.slice(2, -2)] : undefined;
    else if (part.startsWith('[')) cur = Array.isArray(cur) ? cur[Number(part.slice(1, -1))] : undefined;
    else cur = isPlainObject(cur) ? cur[part.slice(1)] : undefined;
  }
  return cur;
}
