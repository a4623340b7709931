// Reverse names (RFC 1035 §3.5 in-addr.arpa, RFC 3596 §2.5 ip6.arpa) ↔ addresses, for PTR.
import { isIPv4, isIPv6 } from 'node:net';
import { canonicalIp } from './cluster-records.js';

/** 5.0.42.10.in-addr.arpa → 10.42.0.5; a full 32-nibble ip6.arpa name → the IPv6 address. Else undefined. */
export function reverseNameToIp(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p))) return undefined;
    const ip = parts.reverse().join('.');
    return isIPv4(ip) ? ip : undefined;
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || nibbles.some((n) => !/^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    const ip = hex.match(/.{4}/g)!.join(':');
    return isIPv6(ip) ? canonicalIp(ip) : undefined;
  }
  return undefined;
}

export function isReverseName(name: string): boolean {
  return name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa');
}
