// networking.k8s.io and discovery.k8s.io: ingresses, ingress classes, network policies and
// endpoint slices.

import { formatLabelSelector, type LabelSelectorSpec } from '../selectors/label-selector.js';
import { at, has, list, str } from './access.js';
import { age, listWithMore } from './format.js';
import { loadBalancerAddresses } from './services.js';
import { ageColumn, column, nameColumn, type TablePrinter } from './table.js';

const name = (obj: unknown): string => str(obj, 'metadata', 'name');

/** formatHosts: up to three rule hosts, "*" when none name a host. */
export function ingressHosts(ing: unknown): string {
  const rules = list(ing, 'spec', 'rules');
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === 3) more = true;
    if (!more && str(rule, 'host') !== '') hosts.push(str(rule, 'host'));
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

export const ingressPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  row(ing, now) {
    const className = at(ing, 'spec', 'ingressClassName');
    const ports = list(ing, 'spec', 'tls').length > 0 ? '80, 443' : '80';
    return [name(ing), typeof className === 'string' ? className : '<none>', ingressHosts(ing), loadBalancerAddresses(at(ing, 'status', 'loadBalancer')), ports, age(ing, now)];
  },
};

export const ingressClassPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Controller', 'Controller that is responsible for handling this class'),
    column('Parameters', 'A reference to a resource with additional parameters'),
    ageColumn(),
  ],
  row(ic, now) {
    let parameters = '<none>';
    if (has(ic, 'spec', 'parameters')) {
      const group = at(ic, 'spec', 'parameters', 'apiGroup');
      parameters = `${str(ic, 'spec', 'parameters', 'kind')}${typeof group === 'string' ? `.${group}` : ''}/${str(ic, 'spec', 'parameters', 'name')}`;
    }
    return [name(ic), str(ic, 'spec', 'controller'), parameters, age(ic, now)];
  },
};

export const networkPolicyPrinter: TablePrinter = {
  columns: [nameColumn(), column('Pod-Selector', 'Selects the pods to which this NetworkPolicy object applies.'), ageColumn()],
  row(np, now) {
    // podSelector is a struct, not a pointer, upstream: absent means {} (every pod).
    const sel = at(np, 'spec', 'podSelector');
    return [name(np), formatLabelSelector(sel !== null && typeof sel === 'object' ? (sel as LabelSelectorSpec) : {}), age(np, now)];
  },
};

export const endpointSlicePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('AddressType', 'addressType specifies the type of address carried by this EndpointSlice.'),
    column('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn(),
  ],
  row(slice, now) {
    const ports = list(slice, 'ports').map((p) => (typeof at(p, 'port') === 'number' ? String(at(p, 'port')) : typeof at(p, 'name') === 'string' ? str(p, 'name') : '*'));
    const addresses = list(slice, 'endpoints').flatMap((e) => list(e, 'addresses').map((a) => (typeof a === 'string' ? a : '')));
    return [name(slice), str(slice, 'addressType'), listWithMore(ports), listWithMore(addresses), age(slice, now)];
  },
};
