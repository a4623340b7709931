// The table for kinds without a printer of their own (upstream's rest.defaultTableConvertor):
// NAME and CREATED AT, the latter an RFC 3339 UTC timestamp rather than an age.

import { str } from './access.js';
import { parseTime } from './format.js';
import { column, CREATION_TIMESTAMP_DESCRIPTION, nameColumn, type TablePrinter } from './table.js';

/** Go's zero time, which upstream prints for an object that has no creationTimestamp. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function createdAt(obj: unknown): string {
  const t = parseTime(str(obj, 'metadata', 'creationTimestamp'));
  // time.RFC3339 has whole seconds only.
  return t === undefined ? ZERO_TIME : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const defaultPrinter: TablePrinter = {
  columns: [nameColumn(), column('Created At', CREATION_TIMESTAMP_DESCRIPTION, { type: 'date' })],
  row: (obj) => [str(obj, 'metadata', 'name'), createdAt(obj)],
};
