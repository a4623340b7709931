// Bootstrap tokens (kubeadm's format, upstream's bootstrap.kubernetes.io/token Secrets): the token
// `<id>.<secret>` ([a-z0-9]{6}.[a-z0-9]{16}) is stored in kube-system as Secret
// `bootstrap-token-<id>`. Shared by the authenticator, the token cleaner and `kts token`.
import { randomInt } from 'node:crypto';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
/** Every bootstrap token user is in this group; auth-extra-groups must extend it. */
export const BOOTSTRAP_GROUP = 'system:bootstrappers';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
/** The groups kubeadm gives join tokens by default. */
export const DEFAULT_EXTRA_GROUP = 'system:bootstrappers:kubeadm:default-node-token';

export const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const TOKEN_ID_RE = /^[a-z0-9]{6}$/;
/** Upstream's BootstrapGroupPattern for auth-extra-groups. */
export const EXTRA_GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** A new random token, as `kubeadm token generate`. */
export function generateToken(): string {
  return `${randomString(6)}.${randomString(16)}`;
}

export function parseBootstrapToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function tokenSecretName(id: string): string {
  return BOOTSTRAP_TOKEN_SECRET_PREFIX + id;
}

/** The data of a bootstrap token Secret, decoded from base64 (absent keys are ''). */
export interface BootstrapTokenData {
  id: string;
  secret: string;
  expiration: string;
  description: string;
  usages: string[];
  extraGroups: string[];
}

export function decodeTokenSecret(data: Record<string, unknown> | undefined): BootstrapTokenData {
  const get = (k: string): string => {
    const v = data?.[k];
    return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '';
  };
  const usages: string[] = [];
  for (const k of Object.keys(data ?? {})) if (k.startsWith('usage-bootstrap-') && get(k) === 'true') usages.push(k.slice('usage-bootstrap-'.length));
  return {
    id: get('token-id'),
    secret: get('token-secret'),
    expiration: get('expiration'),
    description: get('description'),
    usages: usages.sort(),
    extraGroups: get('auth-extra-groups').split(',').map((g) => g.trim()).filter(Boolean),
  };
}

/** True when the Secret's expiration (RFC 3339) is set and not in the future; an unparsable one counts as expired (as upstream). */
export function isExpired(expiration: string, now = Date.now()): boolean {
  if (!expiration) return false;
  const t = Date.parse(expiration);
  return Number.isNaN(t) || t <= now;
}
