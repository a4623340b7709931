// Pod IPs for one simulated node, handed out from the node's spec.podCIDR (IPv4) as a CNI's
// host-local IPAM would: .1 is the bridge, pods get the lowest free address after it. An address
// is held by a pod uid until released; addresses already in pod statuses are adopted at start
// so a restarted agent does not hand them out twice.

export class IpPool {
  private readonly base: number;
  private readonly size: number;
  private readonly byUid = new Map<string, number>();
  private readonly used = new Set<number>();

  constructor(readonly cidr: string) {
    const [ip, bitsText] = cidr.split('/');
    const bits = Number(bitsText);
    const base = ipToInt(ip ?? '');
    if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`unsupported pod CIDR "${cidr}" (IPv4 /8 to /30 only)`);
    this.size = 2 ** (32 - bits);
    this.base = base - (base % this.size);
  }

  /** The address of `uid`, allocating one if it has none; undefined when the range is full. */
  allocate(uid: string): string | undefined {
    const have = this.byUid.get(uid);
    if (have !== undefined) return intToIp(have);
    for (let off = 2; off < this.size - 1; off++) {
      const ip = this.base + off;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        this.byUid.set(uid, ip);
        return intToIp(ip);
      }
    }
    return undefined;
  }

  /** Records that `uid` already holds `ip` (from its status); ignored if outside the range. */
  adopt(uid: string, ip: string): void {
    const n = ipToInt(ip);
    if (n === undefined || n < this.base || n >= this.base + this.size || this.byUid.has(uid)) return;
    this.used.add(n);
    this.byUid.set(uid, n);
  }

  release(uid: string): void {
    const n = this.byUid.get(uid);
    if (n === undefined) return;
    this.byUid.delete(uid);
    this.used.delete(n);
  }
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
