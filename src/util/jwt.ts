// Compact JWS (JWT) with RS256, enough for service account tokens: sign with an RSA private key,
// verify with the public key. The key id is the base64url SHA-256 of the DER public key, as
// upstream's serviceaccount token generator computes it. No other algorithms are accepted.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export type JwtClaims = Record<string, unknown>;

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function keyId(publicKeyPem: string | KeyObject): string {
  const key = typeof publicKeyPem === 'string' ? createPublicKey(publicKeyPem) : publicKeyPem;
  return b64url(createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest());
}

export function signJwt(claims: JwtClaims, privateKeyPem: string): string {
  const priv = createPrivateKey(privateKeyPem);
  const header = { alg: 'RS256', kid: keyId(createPublicKey(priv)) };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), priv))}`;
}

/** Whether `token` looks like a compact JWS (three base64url parts), without checking it. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** The claims when the RS256 signature verifies with `publicKey`; undefined otherwise. */
export function verifyJwt(token: string, publicKey: string | KeyObject): JwtClaims | undefined {
  if (!looksLikeJwt(token)) return undefined;
  const [h, p, s] = token.split('.') as [string, string, string];
  let header: { alg?: string };
  let claims: JwtClaims;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as JwtClaims;
  } catch {
    return undefined;
  }
  if (header.alg !== 'RS256' || typeof claims !== 'object' || claims === null) return undefined;
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')) ? claims : undefined;
}
