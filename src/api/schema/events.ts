// Schemas of events.k8s.io/v1 (Event) as of Kubernetes v1.32: the structured event API, whose
// deprecated* fields map onto the core/v1 Event fields of the same meaning.
import { int32, kindFields, listOf, microTime, ref, str, struct, time, type StructDef } from './dsl.js';

const EV = 'io.k8s.api.events.v1';
const CORE = 'io.k8s.api.core.v1';
const gvk = (kind: string) => ({ group: 'events.k8s.io', version: 'v1', kind });

export const defs: StructDef[] = [
  struct(`${EV}.Event`, {
    ...kindFields(),
    eventTime: microTime(),
    series: ref(`${EV}.EventSeries`),
    reportingController: str(),
    reportingInstance: str(),
    action: str(),
    reason: str(),
    regarding: ref(`${CORE}.ObjectReference`),
    related: ref(`${CORE}.ObjectReference`),
    note: str(),
    type: str(),
    deprecatedSource: ref(`${CORE}.EventSource`),
    deprecatedFirstTimestamp: time(),
    deprecatedLastTimestamp: time(),
    deprecatedCount: int32(),
  }, {
    required: ['eventTime'],
    gvk: [gvk('Event')],
  }),
  struct(`${EV}.EventSeries`, { count: int32(), lastObservedTime: microTime() }, { required: ['count', 'lastObservedTime'] }),
  listOf(`${EV}.Event`, `${EV}.EventList`, gvk('EventList')),
];
