// The API server's authorization: system:masters always (as upstream's privileged group), then the
// Node authorizer, then RBAC — the first to allow wins; otherwise 403 with every reason given.
// Its state (RBAC objects, the node graph) is in memory, fed from the watch cache. A denial waits
// once for the cache to reach the datastore's revision and asks again, so a role or binding a
// client has just written applies to its next request as it would on a single upstream server.
import type { Backend } from '../../storage/backend.js';
import type { Store } from '../registry/store.js';
import type { WatchCache } from '../watch-cache.js';
import type { Attributes, AuthorizerResult, PolicyRule, UserInfo } from './types.js';
import { RbacIndex } from './rbac-index.js';
import { RbacAuthorizer } from './rbac-authorizer.js';
import { NodeGraph } from './node-graph.js';
import { NodeAuthorizer } from './node-authorizer.js';
import { follow, syncRbacIndex } from './rbac-sync.js';
import { forbiddenError } from './forbidden.js';

export const PRIVILEGED_GROUP = 'system:masters';

export class Authorization {
  readonly index = new RbacIndex();
  readonly graph = new NodeGraph();
  readonly rbac = new RbacAuthorizer(this.index);
  readonly node = new NodeAuthorizer(this.graph);

  constructor(private readonly freshness?: { cache: WatchCache; backend: Backend }) {}

  /** Loads the RBAC objects and the node graph and follows their changes until the signal aborts. */
  async start(stores: Map<string, Store>, cache: WatchCache, signal: AbortSignal): Promise<void> {
    await Promise.all([
      syncRbacIndex(this.index, stores, cache, signal),
      follow(stores.get('/pods')!, cache, { put: (o) => this.graph.putPod(o), remove: (ns, n) => this.graph.removePod(ns, n) }, signal),
      follow(stores.get('/persistentvolumeclaims')!, cache, { put: (o) => this.graph.putClaim(o), remove: (ns, n) => this.graph.removeClaim(ns, n) }, signal),
    ]);
  }

  authorize(a: Attributes): AuthorizerResult {
    if (a.user.groups.includes(PRIVILEGED_GROUP)) return { decision: 'allow', reason: '' };
    const reasons: string[] = [];
    for (const authz of [this.node, this.rbac]) {
      const r = authz.authorize(a);
      if (r.decision !== 'noOpinion') return r;
      if (r.reason) reasons.push(r.reason);
    }
    return { decision: 'noOpinion', reason: reasons.join('\n') };
  }

  /** Whether the request is allowed, after the cache caught up when it first looked denied. */
  async allowed(a: Attributes): Promise<AuthorizerResult> {
    const first = this.authorize(a);
    if (first.decision === 'allow' || !this.freshness) return first;
    const { cache, backend } = this.freshness;
    const rev = await backend.currentRevision();
    if (cache.revision >= rev) return first;
    await cache.waitFor(rev, 1000);
    return this.authorize(a);
  }

  /** Throws upstream's 403 unless the request is allowed. */
  async check(a: Attributes): Promise<void> {
    const r = await this.allowed(a);
    if (r.decision !== 'allow') throw forbiddenError(a, r.reason);
  }

  /** The RBAC rules that apply to a user in a namespace (rules reviews, escalation checks). */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    return this.rbac.rulesFor(user, namespace);
  }
}
