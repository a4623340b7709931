// Defaults for core/v1 kinds other than pods and workloads (upstream core/v1 defaults.go):
// Service, Secret, Namespace, Node, PersistentVolume(Claim), Endpoints and LimitRange.
import type { KObject } from '../types.js';
import { child, ensure, isUnset, items, setDefault, setDefaultString, type Obj } from './util.js';

/** ExternallyAccessible: LoadBalancer, NodePort, or ClusterIP with external IPs. */
function externallyAccessible(spec: Obj): boolean {
  const externalIPs = Array.isArray(spec.externalIPs) ? spec.externalIPs : [];
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && externalIPs.length > 0);
}

export function defaultService(svc: KObject): void {
  const spec = ensure(svc, 'spec');
  setDefaultString(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') setDefault(ensure(ensure(spec, 'sessionAffinityConfig'), 'clientIP'), 'timeoutSeconds', 10800);
  setDefaultString(spec, 'type', 'ClusterIP');
  for (const port of items(spec, 'ports')) {
    setDefaultString(port, 'protocol', 'TCP');
    if (isUnset(port.targetPort) || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  if (externallyAccessible(spec)) setDefaultString(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
}

/**
 * Secret type defaults to Opaque. stringData is write-only upstream (the v1 conversion folds it into
 * data, base64-encoded, overriding data keys); doing it here keeps it out of storage.
 */
export function defaultSecret(secret: KObject): void {
  setDefaultString(secret, 'type', 'Opaque');
  const stringData = child(secret, 'stringData');
  if (stringData) {
    const data = ensure(secret, 'data');
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
    delete secret.stringData;
  }
}

/** Namespaces carry their name as a label, the `kubernetes` finalizer, and start Active. */
export function defaultNamespace(ns: KObject): void {
  if (ns.metadata.name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.metadata.name };
  const spec = ensure(ns, 'spec');
  setDefault(spec, 'finalizers', ['kubernetes']);
  setDefaultString(ensure(ns, 'status'), 'phase', 'Active');
}

export function defaultNode(node: KObject): void {
  const status = child(node, 'status');
  if (status && isUnset(status.allocatable) && child(status, 'capacity')) status.allocatable = { ...child(status, 'capacity') };
}

export function defaultPV(pv: KObject): void {
  const spec = ensure(pv, 'spec');
  setDefaultString(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(spec, 'volumeMode', 'Filesystem');
  const hostPath = child(spec, 'hostPath');
  if (hostPath) setDefault(hostPath, 'type', '');
  setDefaultString(ensure(pv, 'status'), 'phase', 'Pending');
}

/** PVC defaults; also applied to StatefulSet volumeClaimTemplates, as upstream's nested defaulting does. */
export function defaultPVC(pvc: Obj): void {
  setDefault(ensure(pvc, 'spec'), 'volumeMode', 'Filesystem');
  setDefaultString(ensure(pvc, 'status'), 'phase', 'Pending');
}

export function defaultEndpoints(ep: KObject): void {
  for (const subset of items(ep, 'subsets')) for (const port of items(subset, 'ports')) setDefaultString(port, 'protocol', 'TCP');
}

/** Container limit items: default limit ← max, default request ← default limit, then ← min. */
export function defaultLimitRange(lr: KObject): void {
  for (const item of items(child(lr, 'spec'), 'limits')) {
    if (item.type !== 'Container') continue;
    const def = ensure(item, 'default');
    const defReq = ensure(item, 'defaultRequest');
    for (const [k, v] of Object.entries(child(item, 'max') ?? {})) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
    for (const [k, v] of Object.entries(child(item, 'min') ?? {})) if (!(k in defReq)) defReq[k] = v;
  }
}
