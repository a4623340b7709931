// Answers for names in the cluster domain, as CoreDNS's kubernetes plugin gives them (with
// `pods insecure`, k3s's default): Service A/AAAA (ClusterIP; headless: every ready endpoint),
// SRV per port, endpoint hostnames under headless Services, <a-b-c-d>.<ns>.pod, ExternalName as a
// CNAME, and NXDOMAIN / NODATA with the zone's SOA in the authority section. TTL 5 s.
import { isIPv4, isIPv6 } from 'node:net';
import { CLASS_IN, RCODE, TYPE } from './wire.js';
import type { Question, ResourceRecord } from './wire.js';
import { isHeadless } from './cluster-records.js';
import { reverseNameToIp } from './reverse.js';
import type { ClusterRecords, DnsService } from './cluster-records.js';

export const TTL = 5;

export interface Answer {
  rcode: number;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

export class ClusterLookup {
  readonly domain: string;
  private readonly serial = Math.floor(Date.now() / 1000);

  constructor(
    private readonly records: ClusterRecords,
    domain: string,
  ) {
    this.domain = domain.toLowerCase().replace(/\.$/, '');
  }

  /** Whether this server is authoritative for `name` (otherwise it is forwarded). */
  inZone(name: string): boolean {
    return name === this.domain || name.endsWith(`.${this.domain}`);
  }

  lookup(q: Question): Answer {
    const name = q.name;
    const rest = name === this.domain ? [] : name.slice(0, -this.domain.length - 1).split('.');
    const zone = rest.pop();
    if (zone === undefined) return q.type === TYPE.SOA ? this.ok([this.soa()]) : this.nodata();
    if (zone === 'svc') return this.svc(q, rest);
    if (zone === 'pod') return this.pod(q, rest);
    return this.nxdomain();
  }

  /**
   * PTR for the reverse name of a ClusterIP or of a headless Service's ready endpoint; undefined
   * when the address is not the cluster's, so the query goes on to the upstream (CoreDNS's
   * `fallthrough in-addr.arpa ip6.arpa`).
   */
  reverse(q: Question): Answer | undefined {
    const ip = reverseNameToIp(q.name);
    if (!ip) return undefined;
    const names = this.records.servicesByIp(ip).map(([n, ns]) => `${n}.${ns}.svc.${this.domain}`);
    for (const [label, svc, ns] of this.records.endpointsByIp(ip)) {
      const s = this.records.service(svc, ns);
      if (s && isHeadless(s)) names.push(`${label}.${svc}.${ns}.svc.${this.domain}`);
    }
    if (names.length === 0) return undefined;
    if (q.type !== TYPE.PTR) return { rcode: RCODE.NOERROR, answers: [], authority: [], additional: [] };
    return this.ok([...new Set(names)].map((target) => ({ name: q.name, class: CLASS_IN, ttl: TTL, data: { type: TYPE.PTR, target } })));
  }

  private svc(q: Question, labels: string[]): Answer {
    if (labels.length === 0) return this.nodata();
    const ns = labels[labels.length - 1]!;
    if (labels.length === 1) return this.records.hasNamespace(ns) ? this.nodata() : this.nxdomain();
    const svcName = labels[labels.length - 2]!;
    const svc = this.records.service(svcName, ns);
    if (!svc) return this.nxdomain();
    const svcFqdn = `${svcName}.${ns}.svc.${this.domain}`;
    if (labels.length === 2) return this.service(q, svc, svcFqdn);
    if (labels.length === 3) return this.endpoint(q, svc, svcFqdn, labels[0]!);
    if (labels.length === 4 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) return this.srv(q, svc, svcFqdn, labels[0]!.slice(1), labels[1]!.slice(1));
    return this.nxdomain();
  }

  private service(q: Question, svc: DnsService, fqdn: string): Answer {
    if (svc.spec?.type === 'ExternalName') {
      const target = (svc.spec.externalName ?? '').toLowerCase().replace(/\.$/, '');
      if (!target) return this.nodata();
      return this.ok([{ name: fqdn, class: CLASS_IN, ttl: TTL, data: { type: TYPE.CNAME, target } }]);
    }
    if (q.type === TYPE.SRV) return this.srv(q, svc, fqdn, undefined, undefined);
    const want = addressType(q.type);
    if (!want) return this.nodata();
    if (isHeadless(svc)) {
      const ips = this.records.endpoints(svc.metadata.name!, svc.metadata.namespace!).map((e) => e.ip);
      return this.addresses(fqdn, ips, want);
    }
    const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
    return this.addresses(fqdn, ips, want);
  }

  /** `<hostname>.<svc>.<ns>.svc.<domain>`: an endpoint of a headless Service, by hostname or dashed address. */
  private endpoint(q: Question, svc: DnsService, svcFqdn: string, label: string): Answer {
    if (!isHeadless(svc)) return this.nxdomain();
    const ips = this.records.endpoints(svc.metadata.name!, svc.metadata.namespace!).filter((e) => e.label === label).map((e) => e.ip);
    if (ips.length === 0) return this.nxdomain();
    const want = addressType(q.type);
    return want ? this.addresses(`${label}.${svcFqdn}`, ips, want) : this.nodata();
  }

  /** SRV records for one port (`_<port>._<proto>`) or, with neither given, every port. */
  private srv(q: Question, svc: DnsService, svcFqdn: string, port: string | undefined, proto: string | undefined): Answer {
    const headless = isHeadless(svc);
    const name = port === undefined ? svcFqdn : `_${port}._${proto}.${svcFqdn}`;
    const ports = (headless ? this.records.endpointPorts(svc.metadata.name!, svc.metadata.namespace!) : (svc.spec?.ports ?? [])).filter(
      (p) => port === undefined || (p.name?.toLowerCase() === port && (p.protocol ?? 'TCP').toLowerCase() === proto),
    );
    if (ports.length === 0) return port === undefined ? this.nodata() : this.nxdomain();
    if (q.type !== TYPE.SRV) return this.nodata();
    const answers: ResourceRecord[] = [];
    const additional: ResourceRecord[] = [];
    if (!headless) {
      const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
      for (const p of ports) answers.push(srvRecord(name, p.port, svcFqdn, 100));
      for (const ip of ips) additional.push(addressRecord(svcFqdn, ip));
    } else {
      const eps = this.records.endpoints(svc.metadata.name!, svc.metadata.namespace!);
      if (eps.length === 0) return this.nxdomain();
      // Equal weights adding up to 100, as CoreDNS.
      const weight = Math.max(1, Math.floor(100 / eps.length));
      for (const p of ports) for (const e of eps) answers.push(srvRecord(name, p.port, `${e.label}.${svcFqdn}`, weight));
      for (const e of eps) additional.push(addressRecord(`${e.label}.${svcFqdn}`, e.ip));
    }
    return { rcode: RCODE.NOERROR, answers, authority: [], additional };
  }

  /** `<a-b-c-d>.<ns>.pod.<domain>` → a.b.c.d, for any well-formed address (CoreDNS `pods insecure`). */
  private pod(q: Question, labels: string[]): Answer {
    if (labels.length === 0) return this.nodata();
    if (labels.length === 1) return this.nodata();
    if (labels.length !== 2) return this.nxdomain();
    const label = labels[0]!;
    const v4 = label.replace(/-/g, '.');
    const ip = isIPv4(v4) ? v4 : isIPv6(label.replace(/-/g, ':')) ? label.replace(/-/g, ':') : undefined;
    if (!ip) return this.nxdomain();
    const want = addressType(q.type);
    return want ? this.addresses(`${label}.${labels[1]}.pod.${this.domain}`, [ip], want) : this.nodata();
  }

  private addresses(name: string, ips: string[], want: 4 | 6): Answer {
    const answers = ips.filter((ip) => (want === 4 ? isIPv4(ip) : isIPv6(ip))).map((ip) => addressRecord(name, ip));
    return answers.length ? this.ok(answers) : ips.length ? this.nodata() : this.nxdomain();
  }

  private ok(answers: ResourceRecord[]): Answer {
    return { rcode: RCODE.NOERROR, answers, authority: [], additional: [] };
  }

  private nodata(): Answer {
    return { rcode: RCODE.NOERROR, answers: [], authority: [this.soa()], additional: [] };
  }

  private nxdomain(): Answer {
    return { rcode: RCODE.NXDOMAIN, answers: [], authority: [this.soa()], additional: [] };
  }

  soa(): ResourceRecord {
    return {
      name: this.domain,
      class: CLASS_IN,
      ttl: TTL,
      data: { type: TYPE.SOA, soa: { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: this.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL } },
    };
  }
}

function addressType(qtype: number): 4 | 6 | undefined {
  return qtype === TYPE.A ? 4 : qtype === TYPE.AAAA ? 6 : undefined;
}

function addressRecord(name: string, ip: string): ResourceRecord {
  return isIPv4(ip) ? { name, class: CLASS_IN, ttl: TTL, data: { type: TYPE.A, address: ip } } : { name, class: CLASS_IN, ttl: TTL, data: { type: TYPE.AAAA, address: ip } };
}

function srvRecord(name: string, port: number, target: string, weight: number): ResourceRecord {
  return { name, class: CLASS_IN, ttl: TTL, data: { type: TYPE.SRV, srv: { priority: 0, weight, port, target } } };
}
