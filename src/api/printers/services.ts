// Services and Endpoints: cluster IP, external IP (with "<pending>" for a load balancer that has
// no address yet), "port:nodePort/protocol" lists and "ip:port,... + N more..." endpoints.

import { formatLabels } from '../selectors/label-selector.js';
import { int, list, record, str, stringMap } from './access.js';
import { age, joinHostPort } from './format.js';
import { ageColumn, column, nameColumn, type TablePrinter } from './table.js';

/** loadBalancerStatusStringer (wide): distinct ingress IPs or hostnames, sorted. */
export function loadBalancerAddresses(status: unknown): string {
  const set = new Set<string>();
  for (const ing of list(status, 'ingress')) {
    const addr = str(ing, 'ip') || str(ing, 'hostname');
    if (addr !== '') set.add(addr);
  }
  return [...set].sort().join(',');
}

function externalIP(svc: unknown): string {
  const externalIPs = list(svc, 'spec', 'externalIPs').filter((x): x is string => typeof x === 'string');
  switch (str(svc, 'spec', 'type')) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(record(svc, 'status', 'loadBalancer'));
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb !== '' ? lb : '<pending>';
    }
    case 'ExternalName':
      return str(svc, 'spec', 'externalName');
    default:
      return '<unknown>';
  }
}

/** makePortString: "80/TCP", "80:30080/TCP". */
export function servicePorts(svc: unknown): string {
  return list(svc, 'spec', 'ports')
    .map((p) => {
      const protocol = str(p, 'protocol') || 'TCP';
      const nodePort = int(p, 'nodePort');
      return nodePort > 0 ? `${int(p, 'port')}:${nodePort}/${protocol}` : `${int(p, 'port')}/${protocol}`;
    })
    .join(',');
}

export const servicePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Type', 'type determines how the Service is exposed.'),
    column('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    column('Port(s)', 'The list of ports that are exposed by this service.'),
    ageColumn(),
    column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', { priority: 1 }),
  ],
  row(svc, now) {
    const clusterIP = str(svc, 'spec', 'clusterIPs', 0) || str(svc, 'spec', 'clusterIP') || '<none>';
    return [str(svc, 'metadata', 'name'), str(svc, 'spec', 'type'), clusterIP, externalIP(svc), servicePorts(svc) || '<none>', age(svc, now), formatLabels(stringMap(svc, 'spec', 'selector'))];
  },
};

/** formatEndpoints: up to three "ip:port" entries, then "+ N more...". */
export function formatEndpoints(ep: unknown): string {
  const subsets = list(ep, 'subsets');
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const shown: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const ips = list(ss, 'addresses').map((a) => str(a, 'ip'));
    const ports = list(ss, 'ports');
    // Headless services may have no ports: list bare addresses.
    const entries = ports.length === 0 ? [ips] : ports.map((p) => ips.map((ip) => joinHostPort(ip, int(p, 'port'))));
    for (const group of entries) {
      count += group.length;
      for (const e of group) if (shown.length < max) shown.push(e);
    }
  }
  const joined = shown.join(',');
  return count > max ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsPrinter: TablePrinter = {
  columns: [nameColumn(), column('Endpoints', 'The set of all endpoints is the union of all subsets.'), ageColumn()],
  row: (ep, now) => [str(ep, 'metadata', 'name'), formatEndpoints(ep), age(ep, now)],
};
