// Service validation (upstream core ValidateService / ValidateServiceUpdate). Cluster IP and node
// port allocation (ranges, conflicts) belong to the allocator; this checks shape and wording.
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { arr, child, goStringSlice, index, invalidRaw, num, obj, oneOf, str, type Obj } from './field.js';
import { validatePortNumOrName, PROTOCOLS } from './container.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidIP, isValidPortNum, nameIsDNS1035Label } from './names.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const KUBELET_PORT = 10250;

function clusterIPs(spec: Obj): string[] {
  const list = arr(spec.clusterIPs).map(String);
  if (list.length) return list;
  const ip = str(spec.clusterIP);
  return ip ? [ip] : [];
}

const isHeadless = (spec: Obj): boolean => clusterIPs(spec)[0] === 'None';

/** ExternallyAccessible: LoadBalancer, NodePort, or ClusterIP with external IPs. */
export function externallyAccessible(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
}

/** core.ServicePort{Protocol, Port} as %#v prints it, the value of the duplicate-port error. */
function goServicePortKey(protocol: string, port: number): string {
  return `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

function validatePorts(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ports = arr(spec.ports);
  const names = new Set<string>();
  const seen = new Set<string>();
  const seenNodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const sp = obj(p) ?? {};
    const pp = index('spec.ports', i);
    const name = str(sp.name) ?? '';
    if (ports.length > 1 && !name) errs.push(fieldErrors.required(child(pp, 'name'), ''));
    else if (name) {
      for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(child(pp, 'name'), name, m));
      if (names.has(name)) errs.push(fieldErrors.duplicate(child(pp, 'name'), name));
      else names.add(name);
    }
    const port = num(sp.port) ?? 0;
    for (const m of isValidPortNum(port)) errs.push(fieldErrors.invalid(child(pp, 'port'), port, m));
    errs.push(...oneOf(sp.protocol, child(pp, 'protocol'), PROTOCOLS));
    if (sp.targetPort !== undefined && sp.targetPort !== null) errs.push(...validatePortNumOrName(sp.targetPort, child(pp, 'targetPort')));
    const nodePort = num(sp.nodePort) ?? 0;
    if (nodePort !== 0) {
      if (spec.type === 'ClusterIP') errs.push(fieldErrors.forbidden(child(pp, 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
      const npKey = `${String(sp.protocol)}/${nodePort}`;
      if (seenNodePorts.has(npKey)) errs.push(fieldErrors.duplicate(child(pp, 'nodePort'), nodePort));
      seenNodePorts.add(npKey);
    }
    const k = `${String(sp.protocol)}/${port}`;
    if (seen.has(k)) errs.push({ ...fieldErrors.duplicate(pp, ''), message: `${pp}: Duplicate value: ${goServicePortKey(String(sp.protocol ?? ''), port)}` });
    seen.add(k);
    if (spec.type === 'LoadBalancer' && port === KUBELET_PORT) errs.push(fieldErrors.invalid(pp, port, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
  });
  return errs;
}

function validateTypeSpecific(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ips = clusterIPs(spec);
  switch (spec.type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (isHeadless(spec)) errs.push(fieldErrors.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
      break;
    case 'ExternalName': {
      if (ips.length) errs.push(fieldErrors.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if (arr(spec.ipFamilies).length) errs.push(fieldErrors.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy) errs.push(fieldErrors.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = (str(spec.externalName) ?? '').replace(/\.$/, '');
      if (!cname) errs.push(fieldErrors.required('spec.externalName', ''));
      else for (const m of isDNS1123Subdomain(cname)) errs.push(fieldErrors.invalid('spec.externalName', cname, m));
      return errs;
    }
  }
  ips.forEach((ip, i) => {
    if (ip === 'None') {
      if (i > 0) errs.push(fieldErrors.invalid(index('spec.clusterIPs', i), ip, "may not be set to 'None'"));
      return;
    }
    for (const m of isValidIP(ip)) errs.push(fieldErrors.invalid(index('spec.clusterIPs', i), ip, m));
  });
  return errs;
}

function validateTrafficPolicies(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const etp = spec.externalTrafficPolicy;
  if (!externallyAccessible(spec)) {
    if (etp) errs.push(fieldErrors.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else errs.push(...oneOf(etp, 'spec.externalTrafficPolicy', ['Cluster', 'Local']));
  const hc = num(spec.healthCheckNodePort) ?? 0;
  if (hc !== 0 && !(spec.type === 'LoadBalancer' && etp === 'Local')) {
    errs.push(fieldErrors.invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  }
  const itp = spec.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP') errs.push(fieldErrors.required('spec.internalTrafficPolicy', ''));
  } else errs.push(...oneOf(itp, 'spec.internalTrafficPolicy', ['Cluster', 'Local']));
  return errs;
}

export function validateService(svc: KObject): FieldError[] {
  const spec = obj(svc.spec) ?? {};
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  if (arr(spec.ports).length === 0 && !isHeadless(spec) && spec.type !== 'ExternalName') errs.push(fieldErrors.required('spec.ports', ''));
  errs.push(...validateTypeSpecific(spec), ...validatePorts(spec));
  if (obj(spec.selector)) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...oneOf(spec.sessionAffinity, 'spec.sessionAffinity', ['ClientIP', 'None']));
  if (spec.sessionAffinity === 'None' && obj(spec.sessionAffinityConfig)) {
    errs.push(fieldErrors.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  if (spec.sessionAffinity === 'ClientIP') {
    const t = num(obj(obj(spec.sessionAffinityConfig)?.clientIP)?.timeoutSeconds);
    if (t === undefined) errs.push(fieldErrors.required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', ''));
    else if (t <= 0 || t > 86400) errs.push(fieldErrors.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
  }
  arr(spec.externalIPs).forEach((ip, i) => {
    for (const m of isValidIP(String(ip))) errs.push(fieldErrors.invalid(index('spec.externalIPs', i), ip, m));
  });
  errs.push(...oneOf(spec.type, 'spec.type', SERVICE_TYPES));
  errs.push(...validateTrafficPolicies(spec));
  return errs;
}

/** Create rules plus: a cluster IP, once set, may not change (except to/from ExternalName). */
export function validateServiceUpdate(svc: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(svc.metadata, old.metadata), ...validateService(svc).filter((e) => !e.field.startsWith('metadata'))];
  const spec = obj(svc.spec) ?? {};
  const prev = obj(old.spec) ?? {};
  if (spec.type === 'ExternalName' || prev.type === 'ExternalName') return errs;
  const next = clusterIPs(spec);
  const before = clusterIPs(prev);
  // An update that omits the cluster IP keeps the allocated one (the strategy copies it back).
  if (next.length === 0 || before.length === 0) return errs;
  if (next[0] !== before[0]) errs.push(invalidRaw('spec.clusterIPs[0]', goStringSlice(next), 'may not change once set'));
  return errs;
}
