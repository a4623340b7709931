// Bootstrap token authentication (upstream plugin/pkg/auth/authenticator/token/bootstrap): a bearer
// token `<id>.<secret>` is looked up as Secret kube-system/bootstrap-token-<id> of type
// bootstrap.kubernetes.io/token and authenticates as `system:bootstrap:<id>` in
// system:bootstrappers plus its auth-extra-groups, while unexpired and allowed for authentication.
// Anything else (unknown, expired, wrong secret, being deleted) is simply not authenticated, so
// the request gets upstream's 401. The Secrets come from a memo the watch cache invalidates, so a
// request costs no datastore read unless kube-system's Secrets changed.
import { timingSafeEqual } from 'node:crypto';
import type { KObject } from '../api/types.js';
import {
  BOOTSTRAP_GROUP, BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_TYPE, BOOTSTRAP_USER_PREFIX, EXTRA_GROUP_RE,
  decodeTokenSecret, isExpired, parseBootstrapToken, tokenSecretName,
} from '../util/bootstrap-token.js';
import type { JwtAuthenticator, UserInfo } from './authn.js';

/** The kube-system Secrets (shared, read-only). */
export type SecretSource = () => Promise<KObject[]>;

export class BootstrapTokenAuthenticator implements JwtAuthenticator {
  constructor(
    private readonly secrets: SecretSource,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(token: string): Promise<UserInfo | undefined> {
    const parsed = parseBootstrapToken(token);
    if (!parsed) return undefined;
    const name = tokenSecretName(parsed.id);
    const secret = (await this.secrets()).find((s) => s.metadata.name === name && s.metadata.namespace === BOOTSTRAP_TOKEN_NAMESPACE);
    if (!secret || secret.metadata.deletionTimestamp || secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return undefined;
    const data = decodeTokenSecret(secret.data as Record<string, unknown> | undefined);
    if (data.id !== parsed.id || !equal(data.secret, parsed.secret)) return undefined;
    if (isExpired(data.expiration, this.now())) return undefined;
    if (!data.usages.includes('authentication')) return undefined;
    if (data.extraGroups.some((g) => !EXTRA_GROUP_RE.test(g))) return undefined;
    return { name: BOOTSTRAP_USER_PREFIX + parsed.id, groups: [BOOTSTRAP_GROUP, ...data.extraGroups.filter((g) => g !== BOOTSTRAP_GROUP)] };
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Tries bearer-token authenticators in order (bootstrap tokens, then service account JWTs). */
export function chainTokenAuthenticators(...list: (JwtAuthenticator | undefined)[]): JwtAuthenticator | undefined {
  const present = list.filter((a): a is JwtAuthenticator => a !== undefined);
  if (present.length <= 1) return present[0];
  return {
    async authenticate(token) {
      for (const a of present) {
        const u = await a.authenticate(token);
        if (u) return u;
      }
      return undefined;
    },
  };
}
