// Version conversion for resources served in more than one version or group:
// autoscaling HPA v1 <-> v2 (stored as v2) and events.k8s.io/v1 <-> core/v1 Event (stored as core).
import type { KObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Converts a stored object to the version a client asked for (returns a new object when changed). */
export function fromStorage(info: ResourceInfo, version: string, obj: KObject): KObject {
  if (info.group === 'autoscaling' && version === 'v1') return hpaV2toV1(obj);
  if (info.group === 'events.k8s.io') return coreEventToEventsV1(obj);
  const apiVersion = apiVersionOf(info.group, version);
  if (obj.apiVersion === apiVersion && obj.kind === info.kind) return obj;
  return { ...obj, apiVersion, kind: info.kind };
}

/** Converts a client's object in `version` to the storage form. */
export function toStorage(info: ResourceInfo, version: string, obj: KObject): KObject {
  if (info.group === 'autoscaling' && version === 'v1') return hpaV1toV2(obj);
  if (info.group === 'events.k8s.io') return eventsV1ToCoreEvent(obj);
  const storageVersion = info.versions[0]!.version;
  return { ...obj, apiVersion: apiVersionOf(info.group, storageVersion), kind: info.kind };
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});

function hpaV1toV2(obj: KObject): KObject {
  const spec = rec(obj.spec);
  const { targetCPUUtilizationPercentage, ...rest } = spec;
  const out: KObject = { ...obj, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', spec: { ...rest } };
  if (typeof targetCPUUtilizationPercentage === 'number') {
    (out.spec as Rec).metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage } } }];
  }
  if (obj.status) {
    const st = rec(obj.status);
    const { currentCPUUtilizationPercentage, ...srest } = st;
    const s2: Rec = { ...srest };
    if (typeof currentCPUUtilizationPercentage === 'number') {
      s2.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCPUUtilizationPercentage } } }];
    }
    out.status = s2;
  }
  return out;
}

function hpaV2toV1(obj: KObject): KObject {
  const spec = rec(obj.spec);
  const { metrics, behavior: _behavior, ...rest } = spec;
  const s1: Rec = { ...rest };
  const cpu = Array.isArray(metrics) ? (metrics as Rec[]).find((m) => m.type === 'Resource' && rec(m.resource).name === 'cpu') : undefined;
  const util = cpu ? rec(rec(cpu.resource).target).averageUtilization : undefined;
  if (typeof util === 'number') s1.targetCPUUtilizationPercentage = util;
  const out: KObject = { ...obj, apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', spec: s1 };
  if (obj.status) {
    const st = rec(obj.status);
    const { currentMetrics, conditions: _c, ...srest } = st;
    const status: Rec = { ...srest };
    const cur = Array.isArray(currentMetrics) ? (currentMetrics as Rec[]).find((m) => m.type === 'Resource' && rec(m.resource).name === 'cpu') : undefined;
    const cu = cur ? rec(rec(cur.resource).current).averageUtilization : undefined;
    if (typeof cu === 'number') status.currentCPUUtilizationPercentage = cu;
    out.status = status;
  }
  return out;
}

function coreEventToEventsV1(e: KObject): KObject {
  const src = rec(e.source);
  const out: KObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: e.metadata,
    eventTime: e.eventTime ?? null,
    regarding: e.involvedObject,
    note: e.message,
    reason: e.reason,
    type: e.type,
  };
  if (e.series) out.series = e.series;
  if (e.action) out.action = e.action;
  if (e.related) out.related = e.related;
  if (e.reportingComponent) out.reportingController = e.reportingComponent;
  if (e.reportingInstance) out.reportingInstance = e.reportingInstance;
  if (src.component || src.host) out.deprecatedSource = src;
  if (e.firstTimestamp) out.deprecatedFirstTimestamp = e.firstTimestamp;
  if (e.lastTimestamp) out.deprecatedLastTimestamp = e.lastTimestamp;
  if (e.count) out.deprecatedCount = e.count;
  return out;
}

function eventsV1ToCoreEvent(e: KObject): KObject {
  const out: KObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: e.metadata,
    involvedObject: e.regarding ?? {},
    reason: e.reason,
    message: e.note,
    type: e.type,
    eventTime: e.eventTime ?? null,
    reportingComponent: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
  };
  if (e.series) out.series = e.series;
  if (e.action) out.action = e.action;
  if (e.related) out.related = e.related;
  if (e.deprecatedSource) out.source = e.deprecatedSource;
  if (e.deprecatedFirstTimestamp) out.firstTimestamp = e.deprecatedFirstTimestamp;
  if (e.deprecatedLastTimestamp) out.lastTimestamp = e.deprecatedLastTimestamp;
  if (e.deprecatedCount) out.count = e.deprecatedCount;
  return out;
}
