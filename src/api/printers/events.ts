// Events, core/v1 and events.k8s.io/v1 alike (upstream prints both from the one internal type):
// LAST SEEN from the series or lastTimestamp, OBJECT as "kind/name", wide SOURCE, FIRST SEEN,
// COUNT and NAME. Unlike other kinds the name is the last, wide-only column.

import { has, int, record, str } from './access.js';
import { since } from './format.js';
import { column, NAME_DESCRIPTION, type TablePrinter } from './table.js';

/** The fields the printer reads, from either API version's shape. */
interface EventView {
  name: string;
  type: string;
  reason: string;
  message: string;
  kind: string;
  objectName: string;
  fieldPath: string;
  sourceComponent: string;
  sourceHost: string;
  reportingController: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  eventTime: string;
  count: number;
  series: Record<string, unknown> | undefined;
}

function view(ev: unknown, modern: boolean): EventView {
  const regarding = record(ev, modern ? 'regarding' : 'involvedObject');
  const source = record(ev, modern ? 'deprecatedSource' : 'source');
  return {
    name: str(ev, 'metadata', 'name'),
    type: str(ev, 'type'),
    reason: str(ev, 'reason'),
    message: str(ev, modern ? 'note' : 'message'),
    kind: str(regarding, 'kind'),
    objectName: str(regarding, 'name'),
    fieldPath: str(regarding, 'fieldPath'),
    sourceComponent: str(source, 'component'),
    sourceHost: str(source, 'host'),
    reportingController: str(ev, modern ? 'reportingController' : 'reportingComponent'),
    reportingInstance: str(ev, 'reportingInstance'),
    firstTimestamp: str(ev, modern ? 'deprecatedFirstTimestamp' : 'firstTimestamp'),
    lastTimestamp: str(ev, modern ? 'deprecatedLastTimestamp' : 'lastTimestamp'),
    eventTime: str(ev, 'eventTime'),
    count: int(ev, modern ? 'deprecatedCount' : 'count'),
    series: has(ev, 'series') ? record(ev, 'series') : undefined,
  };
}

function eventRow(e: EventView, now: number): unknown[] {
  const first = e.firstTimestamp !== '' ? since(e.firstTimestamp, now) : since(e.eventTime, now);
  let last = e.lastTimestamp !== '' ? since(e.lastTimestamp, now) : first;
  let count = e.count;
  if (e.series !== undefined) {
    last = since(str(e.series, 'lastObservedTime'), now);
    count = int(e.series, 'count');
  } else if (count === 0) {
    count = 1; // singleton events carry no count in the new API
  }
  const target = e.objectName !== '' ? `${e.kind.toLowerCase()}/${e.objectName}` : e.kind.toLowerCase();
  const component = e.sourceComponent || e.reportingController;
  const instance = e.sourceHost || e.reportingInstance;
  const source = instance === '' ? component : `${component}, ${instance}`;
  return [last, e.type, e.reason, target, e.fieldPath, source, e.message.trim(), first, count, e.name];
}

const columns = [
  column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  column('Object', 'The object that this event is about.'),
  column('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', { priority: 1 }),
  column('Source', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
  column('Message', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
  column('Count', 'The number of times this event has occurred.', { priority: 1 }),
  column('Name', NAME_DESCRIPTION, { priority: 1, format: 'name' }),
];

export const eventPrinter: TablePrinter = { columns, row: (ev, now) => eventRow(view(ev, false), now) };
export const modernEventPrinter: TablePrinter = { columns, row: (ev, now) => eventRow(view(ev, true), now) };
