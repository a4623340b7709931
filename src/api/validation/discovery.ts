// discovery.k8s.io: EndpointSlice (upstream pkg/apis/discovery/validation).
import { isIPv4, isIPv6 } from 'node:net';
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { arr, child, immutable, index, num, obj, oneOf, str } from './field.js';
import { PROTOCOLS } from './container.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum, nameIsDNSSubdomain } from './names.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ADDRESSES = 100;
const MAX_ENDPOINTS = 1000;
const MAX_PORTS = 20000;

function addressErrors(type: unknown, a: string): string[] {
  if (type === 'IPv4') return isIPv4(a) ? [] : ['must be a valid IPv4 address'];
  if (type === 'IPv6') return isIPv6(a) ? [] : ['must be a valid IPv6 address'];
  if (type === 'FQDN') return isDNS1123Subdomain(a);
  return [];
}

export function validateEndpointSlice(es: KObject): FieldError[] {
  const errs = validateObjectMeta(es.metadata, true, nameIsDNSSubdomain);
  errs.push(...oneOf(es.addressType, 'addressType', ADDRESS_TYPES));
  const endpoints = arr(es.endpoints);
  if (endpoints.length > MAX_ENDPOINTS) errs.push(fieldErrors.tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  endpoints.forEach((e, i) => {
    const ep = obj(e) ?? {};
    const ip = index('endpoints', i);
    const addresses = arr(ep.addresses).map(String);
    if (addresses.length === 0) errs.push(fieldErrors.required(child(ip, 'addresses'), 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) errs.push(fieldErrors.tooMany(child(ip, 'addresses'), addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => {
      for (const m of addressErrors(es.addressType, a)) errs.push(fieldErrors.invalid(index(child(ip, 'addresses'), j), a, m));
    });
    const node = str(ep.nodeName);
    if (node) for (const m of isDNS1123Subdomain(node)) errs.push(fieldErrors.invalid(child(ip, 'nodeName'), node, m));
    const host = str(ep.hostname);
    if (host) for (const m of isDNS1123Label(host)) errs.push(fieldErrors.invalid(child(ip, 'hostname'), host, m));
    errs.push(...validateLabels(obj(ep.deprecatedTopology), child(ip, 'deprecatedTopology')));
  });
  const ports = arr(es.ports);
  if (ports.length > MAX_PORTS) errs.push(fieldErrors.tooMany('ports', ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const port = obj(p) ?? {};
    const pp = index('ports', i);
    const name = str(port.name) ?? '';
    if (name) for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(child(pp, 'name'), name, m));
    if (names.has(name)) errs.push(fieldErrors.duplicate(child(pp, 'name'), name));
    names.add(name);
    errs.push(...oneOf(port.protocol, child(pp, 'protocol'), PROTOCOLS));
    const n = num(port.port);
    if (n !== undefined) for (const m of isValidPortNum(n)) errs.push(fieldErrors.invalid(child(pp, 'port'), n, m));
  });
  return errs;
}

export function validateEndpointSliceUpdate(es: KObject, old: KObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(es.metadata, old.metadata),
    ...validateEndpointSlice(es).filter((e) => !e.field.startsWith('metadata')),
    ...immutable(es.addressType, old.addressType, 'addressType'),
  ];
}
