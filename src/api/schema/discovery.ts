// Schemas of discovery.k8s.io/v1 (EndpointSlice) as of Kubernetes v1.32. Endpoint hints carry
// only forZones: forNodes arrived in v1.33.
import { bool, int32, kindFields, list, listOf, map, ref, str, struct, type StructDef } from './dsl.js';

const DISC = 'io.k8s.api.discovery.v1';
const CORE = 'io.k8s.api.core.v1';
const gvk = (kind: string) => ({ group: 'discovery.k8s.io', version: 'v1', kind });

export const defs: StructDef[] = [
  struct(`${DISC}.EndpointSlice`, {
    ...kindFields(),
    addressType: str(),
    endpoints: list(ref(`${DISC}.Endpoint`)),
    ports: list(ref(`${DISC}.EndpointPort`)),
  }, {
    required: ['addressType', 'endpoints'],
    gvk: [gvk('EndpointSlice')],
  }),
  struct(`${DISC}.Endpoint`, {
    // +listType=set upstream, with no strategic-merge strategy (so replaced whole by SMP).
    addresses: { type: 'array', items: str(), listType: 'set' },
    conditions: ref(`${DISC}.EndpointConditions`),
    hostname: str(),
    targetRef: ref(`${CORE}.ObjectReference`),
    deprecatedTopology: map(str()),
    nodeName: str(),
    zone: str(),
    hints: ref(`${DISC}.EndpointHints`),
  }, { required: ['addresses'] }),
  struct(`${DISC}.EndpointConditions`, { ready: bool(), serving: bool(), terminating: bool() }),
  struct(`${DISC}.EndpointHints`, { forZones: list(ref(`${DISC}.ForZone`)) }),
  struct(`${DISC}.ForZone`, { name: str() }, { required: ['name'] }),
  struct(`${DISC}.EndpointPort`, { name: str(), protocol: str(['SCTP', 'TCP', 'UDP']), port: int32(), appProtocol: str() }),
  listOf(`${DISC}.EndpointSlice`, `${DISC}.EndpointSliceList`, gvk('EndpointSliceList')),
];
