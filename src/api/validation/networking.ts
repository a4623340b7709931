// networking.k8s.io: Ingress, IngressClass and NetworkPolicy (upstream pkg/apis/networking/validation).
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { arr, child, immutable, index, invalidRaw, num, obj, oneOf, str, type Obj } from './field.js';
import { validatePortNumOrName, PROTOCOLS } from './container.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidIP, isWildcardDNS1123Subdomain, isValidPortName, isValidPortNum, nameIsDNSSubdomain } from './names.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

function validateHost(host: string, path: string): FieldError[] {
  if (isValidIP(host).length === 0) return [fieldErrors.invalid(path, host, 'must be a DNS name, not an IP address')];
  if (host.includes('*')) return isWildcardDNS1123Subdomain(host).map((m) => fieldErrors.invalid(path, host, m));
  return isDNS1123Subdomain(host).map((m) => fieldErrors.invalid(path, host, m));
}

function validateBackend(backend: Obj, path: string): FieldError[] {
  const svc = obj(backend.service);
  const res = obj(backend.resource);
  if (svc && res) return [fieldErrors.invalid(path, '', 'cannot set both resource and service backends')];
  if (res) {
    const errs: FieldError[] = [];
    if (!str(res.kind)) errs.push(fieldErrors.required(child(child(path, 'resource'), 'kind'), ''));
    if (!str(res.name)) errs.push(fieldErrors.required(child(child(path, 'resource'), 'name'), ''));
    return errs;
  }
  if (!svc) return [fieldErrors.invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const name = str(svc.name) ?? '';
  if (!name) errs.push(fieldErrors.required(`${path}.service.name`, ''));
  else for (const m of isDNS1035Label(name)) errs.push(fieldErrors.invalid(`${path}.service.name`, name, m));
  const port = obj(svc.port) ?? {};
  const pname = str(port.name) ?? '';
  const pnum = num(port.number) ?? 0;
  if (pname && pnum) errs.push(fieldErrors.invalid(path, '', 'cannot set both port name & port number'));
  else if (pname) for (const m of isValidPortName(pname)) errs.push(fieldErrors.invalid(`${path}.service.port.name`, pname, m));
  else if (pnum) for (const m of isValidPortNum(pnum)) errs.push(fieldErrors.invalid(`${path}.service.port.number`, pnum, m));
  else errs.push(fieldErrors.required(path, 'port name or number is required'));
  return errs;
}

function validateHTTPPath(p: Obj, path: string): FieldError[] {
  const pathType = p.pathType;
  if (pathType === undefined || pathType === null || pathType === '') return [fieldErrors.required(child(path, 'pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = str(p.path) ?? '';
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(fieldErrors.invalid(child(path, 'path'), value, 'must be an absolute path'));
    for (const bad of ['//', '/./', '/../', '%2f', '%2F']) if (value.includes(bad)) errs.push(fieldErrors.invalid(child(path, 'path'), value, `must not contain '${bad}'`));
    for (const bad of ['/..', '/.']) if (value.endsWith(bad)) errs.push(fieldErrors.invalid(child(path, 'path'), value, `cannot end with '${bad}'`));
  } else if (pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(fieldErrors.invalid(child(path, 'path'), value, 'must be an absolute path'));
  } else errs.push(fieldErrors.notSupported(child(path, 'pathType'), pathType, PATH_TYPES));
  errs.push(...validateBackend(obj(p.backend) ?? {}, child(path, 'backend')));
  return errs;
}

export function validateIngress(ing: KObject): FieldError[] {
  const spec = obj(ing.spec) ?? {};
  const errs = validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain);
  const rules = arr(spec.rules);
  const defaultBackend = obj(spec.defaultBackend);
  if (rules.length === 0 && !defaultBackend) errs.push(invalidRaw('spec', '[]networking.IngressRule(nil)', 'either `defaultBackend` or `rules` must be specified'));
  if (defaultBackend) errs.push(...validateBackend(defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const rule = obj(r) ?? {};
    const rp = index('spec.rules', i);
    const host = str(rule.host);
    if (host) errs.push(...validateHost(host, child(rp, 'host')));
    const http = obj(rule.http);
    if (!http) return;
    const paths = arr(http.paths);
    if (paths.length === 0) errs.push(fieldErrors.required(`${rp}.http.paths`, ''));
    paths.forEach((p, j) => errs.push(...validateHTTPPath(obj(p) ?? {}, index(`${rp}.http.paths`, j))));
  });
  arr(spec.tls).forEach((t, i) => {
    arr(obj(t)?.hosts).forEach((h, j) => errs.push(...validateHost(String(h), index(`${index('spec.tls', i)}.hosts`, j))));
  });
  const cls = str(spec.ingressClassName);
  if (cls) for (const m of isDNS1123Subdomain(cls)) errs.push(fieldErrors.invalid('spec.ingressClassName', cls, m));
  return errs;
}

export function validateIngressClass(ic: KObject): FieldError[] {
  const errs = validateObjectMeta(ic.metadata, false, nameIsDNSSubdomain);
  const controller = str(obj(ic.spec)?.controller) ?? '';
  if (!controller) errs.push(fieldErrors.required('spec.controller', ''));
  else if (controller.length > 250) errs.push(fieldErrors.tooLong('spec.controller', 250));
  return errs;
}

export function validateIngressClassUpdate(ic: KObject, old: KObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ic.metadata, old.metadata),
    ...validateIngressClass(ic).filter((e) => !e.field.startsWith('metadata')),
    ...immutable(obj(ic.spec)?.controller, obj(old.spec)?.controller, 'spec.controller'),
  ];
}

function validatePeers(peers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(peers).forEach((p, i) => {
    const peer = obj(p) ?? {};
    const pp = index(path, i);
    const kinds = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => obj(peer[k]));
    if (kinds.length === 0) errs.push(fieldErrors.required(pp, 'must specify a peer'));
    if (obj(peer.ipBlock) && kinds.length > 1) errs.push(fieldErrors.forbidden(pp, 'may not specify more than 1 peer type'));
    for (const k of ['podSelector', 'namespaceSelector']) if (obj(peer[k])) errs.push(...validateLabelSelector(peer[k], child(pp, k)));
    const block = obj(peer.ipBlock);
    if (block) {
      const cidr = str(block.cidr) ?? '';
      if (!cidr) errs.push(fieldErrors.required(`${pp}.ipBlock.cidr`, ''));
      else if (!isCIDR(cidr)) errs.push(fieldErrors.invalid(`${pp}.ipBlock.cidr`, cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
      arr(block.except).forEach((e, j) => {
        if (!isCIDR(String(e))) errs.push(fieldErrors.invalid(index(`${pp}.ipBlock.except`, j), e, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
      });
    }
  });
  return errs;
}

function isCIDR(v: string): boolean {
  const [ip, bits] = v.split('/');
  if (!ip || bits === undefined || !/^[0-9]+$/.test(bits) || isValidIP(ip).length) return false;
  return Number(bits) <= (ip.includes(':') ? 128 : 32);
}

function validateNetPolPorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(ports).forEach((p, i) => {
    const port = obj(p) ?? {};
    const pp = index(path, i);
    if (port.protocol !== undefined && port.protocol !== null) errs.push(...oneOf(port.protocol, child(pp, 'protocol'), PROTOCOLS));
    if (port.port !== undefined && port.port !== null) errs.push(...validatePortNumOrName(port.port, child(pp, 'port')));
    const end = num(port.endPort);
    if (end !== undefined) {
      if (typeof port.port !== 'number') errs.push(fieldErrors.required(child(pp, 'port'), 'must be specified when endPort is specified'));
      else if (end < port.port) errs.push(fieldErrors.invalid(child(pp, 'endPort'), end, 'must be greater than or equal to `port`'));
      for (const m of isValidPortNum(end)) errs.push(fieldErrors.invalid(child(pp, 'endPort'), end, m));
    }
  });
  return errs;
}

export function validateNetworkPolicy(np: KObject): FieldError[] {
  const spec = obj(np.spec) ?? {};
  const errs = [...validateObjectMeta(np.metadata, true, nameIsDNSSubdomain), ...validateLabelSelector(spec.podSelector, 'spec.podSelector')];
  arr(spec.ingress).forEach((r, i) => {
    const rule = obj(r) ?? {};
    errs.push(...validateNetPolPorts(rule.ports, `${index('spec.ingress', i)}.ports`), ...validatePeers(rule.from, `${index('spec.ingress', i)}.from`));
  });
  arr(spec.egress).forEach((r, i) => {
    const rule = obj(r) ?? {};
    errs.push(...validateNetPolPorts(rule.ports, `${index('spec.egress', i)}.ports`), ...validatePeers(rule.to, `${index('spec.egress', i)}.to`));
  });
  const types = arr(spec.policyTypes);
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(fieldErrors.notSupported(index('spec.policyTypes', i), t, ['Ingress', 'Egress']));
  });
  if (types.length > 2) errs.push(invalidRaw('spec.policyTypes', JSON.stringify(types), 'may not specify more than two policyTypes'));
  return errs;
}
