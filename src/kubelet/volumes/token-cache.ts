// Service account tokens for projected volumes, from the TokenRequest API bound to the pod, and
// cached per pod/account/audience/lifetime. A token is renewed once 80% of its lifetime has passed
// (or it is older than 24 h), as upstream's kubelet token manager does.
import type { RestClient } from '../../client/rest-client.js';
import type { Pod, TokenSource } from './types.js';

interface Cached {
  token: string;
  issuedMs: number;
  expiresMs: number;
}

const MAX_AGE_MS = 24 * 3600 * 1000;

export class TokenCache implements TokenSource {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly client: RestClient,
    private readonly now: () => number = Date.now,
  ) {}

  async token(pod: Pod, audience: string, expirationSeconds: number): Promise<string> {
    const ns = pod.metadata.namespace!;
    const sa = pod.spec.serviceAccountName || 'default';
    const key = [pod.metadata.uid, ns, sa, audience, expirationSeconds].join('/');
    const cur = this.cache.get(key);
    if (cur && !this.needsRefresh(cur)) return cur.token;
    const issuedMs = this.now();
    const body = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        // Empty means the API server's own audiences.
        audiences: audience ? [audience] : [],
        expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
      },
    };
    let res: { status?: { token?: string; expirationTimestamp?: string } };
    try {
      res = await this.client.create(`/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(sa)}/token`, body);
    } catch (e) {
      // A still-valid token beats none while the API server is unreachable.
      if (cur && cur.expiresMs > this.now()) return cur.token;
      throw new Error(`failed to fetch token: ${(e as Error).message}`, { cause: e });
    }
    const token = res.status?.token;
    if (!token) throw new Error('failed to fetch token: the TokenRequest response has no token');
    const expiresMs = Date.parse(res.status?.expirationTimestamp ?? '') || issuedMs + expirationSeconds * 1000;
    this.cache.set(key, { token, issuedMs, expiresMs });
    return token;
  }

  /** Forgets a pod's tokens (after teardown). */
  forgetPod(uid: string): void {
    for (const k of this.cache.keys()) if (k.startsWith(`${uid}/`)) this.cache.delete(k);
  }

  private needsRefresh(c: Cached): boolean {
    const now = this.now();
    if (now - c.issuedMs > MAX_AGE_MS) return true;
    return now >= c.issuedMs + 0.8 * (c.expiresMs - c.issuedMs);
  }
}
