// What the Endpoints and EndpointSlice controllers share: the typed view of a Service, the pods a
// Service selects, and the handlers that turn pod and Service changes into Service keys, noting
// when the change happened (the endpoints.kubernetes.io/last-change-trigger-time annotation).
import type { KObject } from '../../api/types.js';
import type { CachedInformer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import { selectorFromLabelSelector } from '../../api/selectors/label-selector.js';
import { isPodReady, podIPs, type Pod, type ServicePort } from './pod.js';

export interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: ServicePort[];
  clusterIP?: string;
  type?: string;
  publishNotReadyAddresses?: boolean;
  ipFamilies?: string[];
}

export type Service = KObject & { spec?: ServiceSpec };

export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** Services with a non-empty selector are the ones the controllers manage. */
export function hasSelector(svc: Service): boolean {
  return Object.keys(svc.spec?.selector ?? {}).length > 0;
}

export function selectsPod(svc: Service, pod: Pod): boolean {
  if (!hasSelector(svc) || svc.metadata.namespace !== pod.metadata.namespace) return false;
  return selectorFromLabelSelector({ matchLabels: svc.spec!.selector! }).matches(pod.metadata.labels);
}

export function selectedPods(pods: CachedInformer<Pod>, svc: Service): Pod[] {
  if (!hasSelector(svc)) return [];
  const sel = selectorFromLabelSelector({ matchLabels: svc.spec!.selector! });
  return pods.list(svc.metadata.namespace).filter((p) => sel.matches(p.metadata.labels));
}

/** The parts of a pod an endpoint depends on; other changes (most status updates) are ignored. */
function endpointView(p: Pod): string {
  return JSON.stringify([p.metadata.labels, podIPs(p), isPodReady(p), p.metadata.deletionTimestamp, p.spec?.nodeName, p.spec?.hostname, p.spec?.subdomain, p.status?.phase, p.metadata.uid]);
}

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Wires pod and Service informers to `enqueue(serviceKey)`; returns the trigger-time tracker
 * (the latest change time per Service key, taken by the next successful sync).
 */
export function watchServicePods(services: CachedInformer<Service>, pods: CachedInformer<Pod>, enqueue: (key: string) => void): Map<string, number> {
  const triggers = new Map<string, number>();
  const touch = (key: string) => {
    triggers.set(key, Date.now());
    enqueue(key);
  };
  const forPod = (pod: Pod) => {
    for (const svc of services.list(pod.metadata.namespace)) if (selectsPod(svc, pod)) touch(objectKey(svc));
  };
  pods.addHandler({
    onAdd: forPod,
    onUpdate: (old, pod) => {
      if (old !== pod && endpointView(old) === endpointView(pod)) return;
      forPod(pod);
      if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) forPod(old);
    },
    onDelete: forPod,
  });
  services.addHandler({
    onAdd: (s) => touch(objectKey(s)),
    onUpdate: (old, s) => (old === s ? enqueue(objectKey(s)) : touch(objectKey(s))),
    onDelete: (s) => enqueue(objectKey(s)),
  });
  return triggers;
}
