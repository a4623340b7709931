// The pod's resolv.conf (CRI DNSConfig) per dnsPolicy, as upstream's kubelet forms it: ClusterFirst
// uses the cluster DNS servers and `<ns>.svc.<domain> svc.<domain> <domain>` + the host's search
// domains with ndots:5; Default copies the host's resolv.conf; None starts empty; spec.dnsConfig is
// merged on top; limits (3 nameservers, 32 search domains, 2048 characters) are then applied.
import { readFileSync } from 'node:fs';
import type { DnsConfig } from '../cri/types.js';
import type { Pod } from './types.js';

export const MAX_NAMESERVERS = 3;
export const MAX_SEARCH_PATHS = 32;
export const MAX_SEARCH_CHARS = 2048;
const MAX_SEARCH_DOMAIN_LENGTH = 253;

export interface DnsEvent { type: 'Warning'; reason: 'MissingClusterDNS' | 'DNSConfigForming'; message: string }
export interface DnsResult {
  config: Required<DnsConfig>;
  /** ClusterFirst was asked for with no cluster DNS configured: the pod got the node's DNS. */
  clusterDnsMissing: boolean;
  /** Warning events for the pod, with upstream's reasons and messages. */
  events: DnsEvent[];
}
export interface DnsOptions {
  clusterDns: string[];
  clusterDomain: string;
  /** Path of the node's resolv.conf; empty = none (then localhost is the resolver, as upstream). */
  hostResolvConf: string;
}

/** nameserver/search/options lines of a resolv.conf; the last search line wins. */
export function parseResolvConf(text: string): Required<DnsConfig> {
  const out: Required<DnsConfig> = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const fields = line.split(/\s+/).filter(Boolean);
    if (fields.length === 0) continue;
    if (fields[0] === 'nameserver' && fields[1]) out.servers.push(fields[1]);
    if (fields[0] === 'search') out.searches = fields.slice(1).filter((s) => s !== '.').map((s) => s.replace(/\.$/, ''));
    if (fields[0] === 'options') out.options.push(...fields.slice(1));
  }
  return out;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

type PolicyKind = 'cluster' | 'host' | 'none';

function policyKind(pod: Pod): PolicyKind {
  switch (pod.spec.dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'ClusterFirst':
      return pod.spec.hostNetwork ? 'host' : 'cluster';
    case 'Default':
      return 'host';
    default:
      throw new Error(`invalid DNSPolicy=${String(pod.spec.dnsPolicy)}`);
  }
}

function mergeOptions(existing: string[], extra: { name: string; value?: string }[]): string[] {
  const options = new Map<string, string>();
  for (const o of existing) {
    const i = o.indexOf(':');
    if (i === -1) options.set(o, '');
    else options.set(o.slice(0, i), o.slice(i + 1));
  }
  for (const o of extra) options.set(o.name, o.value ?? '');
  return [...options].map(([k, v]) => (v ? `${k}:${v}` : k));
}

function fitSearches(searches: string[], events: DnsEvent[]): string[] {
  let exceeded = false;
  let out = searches;
  if (out.length > MAX_SEARCH_PATHS) {
    out = out.slice(0, MAX_SEARCH_PATHS);
    exceeded = true;
  }
  const kept = out.filter((s) => s.length <= MAX_SEARCH_DOMAIN_LENGTH);
  if (kept.length !== out.length) exceeded = true;
  out = kept;
  const lineLength = out.join(' ').length;
  if (lineLength > MAX_SEARCH_CHARS) {
    let cut = 0;
    let cutLength = 0;
    for (let i = out.length - 1; i >= 0; i--) {
      cutLength += out[i]!.length + 1;
      cut++;
      if (lineLength - cutLength <= MAX_SEARCH_CHARS) break;
    }
    out = out.slice(0, out.length - cut);
    exceeded = true;
  }
  if (exceeded) {
    events.push({ type: 'Warning', reason: 'DNSConfigForming', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}` });
  }
  return out;
}

export function dnsConfig(pod: Pod, opts: DnsOptions): DnsResult {
  const events: DnsEvent[] = [];
  let clusterDnsMissing = false;
  const host: Required<DnsConfig> = opts.hostResolvConf ? parseResolvConf(readFileSync(opts.hostResolvConf, 'utf8')) : { servers: [], searches: [], options: [] };
  let config: Required<DnsConfig> = { ...host };
  let kind = policyKind(pod);
  if (kind === 'none') {
    config = { servers: [], searches: [], options: [] };
  } else if (kind === 'cluster' && opts.clusterDns.length > 0) {
    const d = opts.clusterDomain;
    const clusterSearch = d ? [`${pod.metadata.namespace}.svc.${d}`, `svc.${d}`, d] : [];
    config = { servers: [...opts.clusterDns], searches: unique([...clusterSearch, ...host.searches]), options: ['ndots:5'] };
  } else if (kind === 'cluster') {
    clusterDnsMissing = true;
    const message = `kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`;
    events.push({ type: 'Warning', reason: 'MissingClusterDNS', message: `pod: ${JSON.stringify(`${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`)}. ${message}` });
    kind = 'host';
  }
  if (kind === 'host' && !opts.hostResolvConf) {
    config = { servers: ['127.0.0.1'], searches: ['.'], options: [] };
  }
  const extra = pod.spec.dnsConfig;
  if (extra) {
    config = {
      servers: unique([...config.servers, ...(extra.nameservers ?? [])]),
      searches: unique([...config.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(config.options, extra.options ?? []),
    };
  }
  if (config.servers.length > MAX_NAMESERVERS) {
    config.servers = config.servers.slice(0, MAX_NAMESERVERS);
    events.push({ type: 'Warning', reason: 'DNSConfigForming', message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${config.servers.join(' ')}` });
  }
  config.searches = fitSearches(config.searches, events);
  return { config, clusterDnsMissing, events };
}
