// Names of the node's iptables chains. Several clusters share one kernel (tests run side by
// side), so every chain carries a prefix derived from the node's data dir, as the CNI network
// names are (same sha256 of the path): `kts cleanup --data-dir D` can find them again.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/** `KTS` + 6 hex of sha256(absolute data dir). Never starts with `KTS-` (the shared cleanup prefix). */
export function proxyChainPrefix(dataDir: string): string {
  return 'KTS' + createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 6);
}

/** 12 upper-case hex of sha256(parts): per-service and per-endpoint chain suffixes (≤ 28 chars in all). */
export function chainHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12).toUpperCase();
}

export interface ChainNames {
  services: string;
  external: string;
  nodePorts: string;
  postrouting: string;
  markMasq: string;
  forward: string;
  svc(id: string, protocol: string): string;
  svl(id: string, protocol: string): string;
  ext(id: string, protocol: string): string;
  fw(id: string, protocol: string): string;
  sep(id: string, protocol: string, endpoint: string): string;
}

export function chainNames(prefix: string): ChainNames {
  return {
    services: `${prefix}-SERVICES`,
    external: `${prefix}-EXTERNAL`,
    nodePorts: `${prefix}-NODEPORTS`,
    postrouting: `${prefix}-POSTROUTING`,
    markMasq: `${prefix}-MARK-MASQ`,
    forward: `${prefix}-FORWARD`,
    svc: (id, proto) => `${prefix}-SVC-${chainHash(id, proto)}`,
    svl: (id, proto) => `${prefix}-SVL-${chainHash(id, proto)}`,
    ext: (id, proto) => `${prefix}-EXT-${chainHash(id, proto)}`,
    fw: (id, proto) => `${prefix}-FW-${chainHash(id, proto)}`,
    sep: (id, proto, ep) => `${prefix}-SEP-${chainHash(id, proto, ep)}`,
  };
}
