// The API servers a client may talk to, as k3s's agent load balancer keeps them: the configured
// server first, then the others the cluster advertises (the `kubernetes` Service's endpoints, see
// agent/api-servers.ts). Requests go to the current one; when it cannot be reached the pool moves
// on, so losing the server an agent talks to does not lose the node. One pool per configured
// server URL in the process, shared by every client built for that URL.

const pools = new Map<string, ServerPool>();

export class ServerPool {
  private urls: URL[];
  private index = 0;

  private constructor(readonly configured: string) {
    this.urls = [new URL(configured)];
  }

  /** The pool of clients configured with `server`. */
  static for(server: string): ServerPool {
    let p = pools.get(server);
    if (!p) {
      p = new ServerPool(server);
      pools.set(server, p);
    }
    return p;
  }

  /** The server requests go to now. */
  current(): URL {
    return this.urls[this.index]!;
  }

  get size(): number {
    return this.urls.length;
  }

  /** Every address, in order (the configured one first). */
  get servers(): string[] {
    return this.urls.map((u) => u.origin);
  }

  /** `url` could not be reached: later requests go to the next server (once per failure of the current one). */
  failed(url: URL): void {
    if (this.urls[this.index]?.origin === url.origin && this.urls.length > 1) this.index = (this.index + 1) % this.urls.length;
  }

  /** Sets the other servers (the configured one is always kept first); the current one stays current if still listed. */
  setOthers(servers: string[]): void {
    const cur = this.current().origin;
    const first = new URL(this.configured);
    const seen = new Set([first.origin]);
    const urls = [first];
    for (const s of servers) {
      const u = new URL(s);
      if (seen.has(u.origin)) continue;
      seen.add(u.origin);
      urls.push(u);
    }
    this.urls = urls;
    this.index = Math.max(0, urls.findIndex((u) => u.origin === cur));
  }
}

/** Errors that mean the request never reached the server (safe to send to another one). */
export function neverSent(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL';
}

/** Errors of a connection to a server that is down or gone (the pool moves on). */
export function unreachable(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return neverSent(e) || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EPIPE' || (e as Error)?.message === 'socket hang up';
}
