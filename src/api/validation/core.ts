// The remaining core-group kinds: Namespace, Node, ServiceAccount, Endpoints, Event, LimitRange and
// ResourceQuota (upstream pkg/apis/core/validation). Pod, Service, ConfigMap/Secret and PV/PVC
// have their own files.
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { arr, child, index, invalidRaw, key, num, obj, oneOf, str, type Obj } from './field.js';
import { PROTOCOLS } from './container.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidLabelValue, isValidPortNum, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import { parseQuantity, quantityText } from './quantity.js';

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateNamespace(ns: KObject): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, false, nameIsDNSLabel);
  for (const f of arr(obj(ns.spec)?.finalizers).map(String)) {
    for (const m of isQualifiedName(f)) errs.push(fieldErrors.invalid('spec.finalizers', f, m));
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) errs.push(fieldErrors.invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

export function validateNamespaceStatus(ns: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  const phase = obj(ns.status)?.phase ?? '';
  if (!ns.metadata.deletionTimestamp) {
    if (phase !== 'Active') errs.push(fieldErrors.invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') errs.push(fieldErrors.invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  return errs;
}

function validateTaints(taints: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(taints).forEach((t, i) => {
    const taint = obj(t) ?? {};
    const ip = index(path, i);
    const k = str(taint.key) ?? '';
    for (const m of isQualifiedName(k)) errs.push(fieldErrors.invalid(child(ip, 'key'), k, m));
    const v = str(taint.value) ?? '';
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(fieldErrors.invalid(child(ip, 'value'), v, msgs.join(';')));
    errs.push(...oneOf(taint.effect, child(ip, 'effect'), ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    const id = `${k}\u0000${String(taint.effect)}`;
    if (seen.has(id)) errs.push({ ...fieldErrors.duplicate(ip, ''), message: `${ip}: Duplicate value: ${JSON.stringify(taint)}: taints must be unique by key and effect pair` });
    seen.add(id);
  });
  return errs;
}

export function validateNode(node: KObject): FieldError[] {
  const spec = obj(node.spec) ?? {};
  const errs = [...validateObjectMeta(node.metadata, false, nameIsDNSSubdomain), ...validateTaints(spec.taints, 'spec.taints')];
  arr(spec.podCIDRs).forEach((c, i) => {
    const cidr = String(c);
    const [ip, bits] = cidr.split('/');
    if (!ip || bits === undefined || isValidIP(ip).length || !/^[0-9]+$/.test(bits)) errs.push(fieldErrors.invalid(index('spec.podCIDRs', i), cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  return errs;
}

export function validateNodeUpdate(node: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(node.metadata, old.metadata), ...validateTaints(obj(node.spec)?.taints, 'spec.taints')];
  const spec = obj(node.spec) ?? {};
  const prev = obj(old.spec) ?? {};
  const oldCIDRs = arr(prev.podCIDRs).map(String);
  if (oldCIDRs.length && oldCIDRs.join(',') !== arr(spec.podCIDRs).map(String).join(',')) {
    errs.push(fieldErrors.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (str(prev.providerID) && spec.providerID !== prev.providerID) {
    errs.push(fieldErrors.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

export function validateServiceAccount(sa: KObject): FieldError[] {
  return validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain);
}

export function validateEndpoints(ep: KObject): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
  arr(ep.subsets).forEach((s, i) => {
    const subset = obj(s) ?? {};
    const sp = index('subsets', i);
    for (const list of ['addresses', 'notReadyAddresses']) {
      arr(subset[list]).forEach((a, j) => {
        const addr = obj(a) ?? {};
        const ap = index(child(sp, list), j);
        const ip = str(addr.ip) ?? '';
        for (const m of isValidIP(ip)) errs.push(fieldErrors.invalid(child(ap, 'ip'), ip, m));
        const node = str(addr.nodeName);
        if (node) for (const m of isDNS1123Subdomain(node)) errs.push(fieldErrors.invalid(child(ap, 'nodeName'), node, m));
      });
    }
    const ports = arr(subset.ports);
    ports.forEach((p, j) => {
      const port = obj(p) ?? {};
      const pp = index(child(sp, 'ports'), j);
      const name = str(port.name) ?? '';
      if (ports.length > 1 && !name) errs.push(fieldErrors.required(child(pp, 'name'), ''));
      else if (name) for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(child(pp, 'name'), name, m));
      const n = num(port.port) ?? 0;
      for (const m of isValidPortNum(n)) errs.push(fieldErrors.invalid(child(pp, 'port'), n, m));
      errs.push(...oneOf(port.protocol, child(pp, 'protocol'), PROTOCOLS));
    });
  });
  return errs;
}

/** Core v1 events get only the legacy checks (upstream keeps them lenient for old clients). */
export function validateCoreEvent(ev: KObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!ev.metadata.name && !ev.metadata.generateName) errs.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
  const ns = ev.metadata.namespace ?? '';
  const involved = obj(ev.involvedObject) ?? {};
  const involvedNs = str(involved.namespace) ?? '';
  if (!ev.eventTime) {
    const ok = involvedNs ? ns === involvedNs : ns === '' || ns === 'default';
    if (!ok) errs.push(fieldErrors.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(fieldErrors.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    errs.push(...validateReporting(ev, 'reportingComponent', 'message'));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(fieldErrors.invalid('namespace', ns, m));
  return errs;
}

/** The reporting fields every "new style" event (eventTime set) must carry. */
export function validateReporting(ev: Obj, controllerField: string, noteField: string): FieldError[] {
  const errs: FieldError[] = [];
  const controller = str(ev[controllerField]) ?? '';
  if (!controller) errs.push(fieldErrors.required(controllerField, ''));
  for (const m of isQualifiedName(controller)) errs.push(fieldErrors.invalid(controllerField, controller, m));
  const limit = (f: string, max: number, requiredField: boolean): void => {
    const v = str(ev[f]) ?? '';
    if (requiredField && !v) errs.push(fieldErrors.required(f, ''));
    if (v.length > max) errs.push(fieldErrors.invalid(f, '', `can have at most ${max} characters`));
  };
  limit('reportingInstance', 128, true);
  limit('action', 128, true);
  limit('reason', 128, true);
  limit(noteField, 1024, false);
  return errs;
}

const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];

export function validateLimitRange(lr: KObject): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, true, nameIsDNSSubdomain);
  const seen = new Set<string>();
  arr(obj(lr.spec)?.limits).forEach((l, i) => {
    const item = obj(l) ?? {};
    const ip = index('spec.limits', i);
    const type = str(item.type) ?? '';
    errs.push(...oneOf(type, child(ip, 'type'), LIMIT_TYPES));
    if (seen.has(type)) errs.push(fieldErrors.duplicate(child(ip, 'type'), type));
    seen.add(type);
    const bag = (f: string): Obj => obj(item[f]) ?? {};
    if (type === 'Pod') {
      if (Object.keys(bag('default')).length) errs.push(fieldErrors.forbidden(child(ip, 'default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(bag('defaultRequest')).length) errs.push(fieldErrors.forbidden(child(ip, 'defaultRequest'), "may not be specified when `type` is 'Pod'"));
    }
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
      for (const [name, q] of Object.entries(bag(f))) {
        const v = parseQuantity(q);
        if (v !== undefined && v < 0) errs.push(fieldErrors.invalid(key(child(ip, f), name), quantityText(q), 'must be greater than or equal to 0'));
      }
    }
    // min ≤ defaultRequest ≤ default ≤ max, per resource; messages name both values.
    const order: [string, string, string][] = [
      ['min', 'max', 'min value %a is greater than max value %b'],
      ['defaultRequest', 'default', 'default request value %a is greater than default limit value %b'],
      ['min', 'defaultRequest', 'min value %a is greater than default request value %b'],
      ['defaultRequest', 'max', 'default request value %a is greater than max value %b'],
      ['min', 'default', 'min value %a is greater than default value %b'],
      ['default', 'max', 'default value %a is greater than max value %b'],
    ];
    for (const [lo, hi, msg] of order) {
      for (const [name, q] of Object.entries(bag(lo))) {
        const hq = bag(hi)[name];
        const a = parseQuantity(q);
        const b = parseQuantity(hq);
        if (a === undefined || b === undefined || a <= b) continue;
        errs.push(invalidRaw(key(child(ip, lo), name), quantityText(q), msg.replace('%a', quantityText(q)).replace('%b', quantityText(hq))));
      }
    }
  });
  return errs;
}

const QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];
const STANDARD_QUOTA_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
  'cpu', 'memory', 'ephemeral-storage', 'storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);

export function validateResourceQuota(rq: KObject): FieldError[] {
  const errs = validateObjectMeta(rq.metadata, true, nameIsDNSSubdomain);
  const spec = obj(rq.spec) ?? {};
  for (const [name, q] of Object.entries(obj(spec.hard) ?? {})) {
    const path = key('spec.hard', name);
    if (!name.includes('/') && !STANDARD_QUOTA_RESOURCES.has(name) && !name.startsWith('requests.hugepages-') && !name.startsWith('count/')) {
      errs.push(fieldErrors.invalid(path, name, 'must be a standard resource type or fully qualified'));
    }
    const v = parseQuantity(q);
    if (v !== undefined && v < 0) errs.push(fieldErrors.invalid(path, quantityText(q), 'must be greater than or equal to 0'));
  }
  arr(spec.scopes).forEach((s) => {
    if (typeof s !== 'string' || !QUOTA_SCOPES.includes(s)) errs.push(fieldErrors.notSupported('spec.scopes', s, QUOTA_SCOPES));
  });
  return errs;
}

export function validateResourceQuotaStatus(rq: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(rq.metadata, old.metadata);
  const status = obj(rq.status) ?? {};
  for (const bagName of ['hard', 'used']) {
    for (const [name, q] of Object.entries(obj(status[bagName]) ?? {})) {
      const v = parseQuantity(q);
      if (v !== undefined && v < 0) errs.push(fieldErrors.invalid(key(`status.${bagName}`, name), quantityText(q), 'must be greater than or equal to 0'));
    }
  }
  return errs;
}

