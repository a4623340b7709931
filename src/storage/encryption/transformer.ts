// Encrypts and decrypts stored values with upstream's envelope prefixes:
//   k8s:enc:aescbc:v1:<key name>:<IV (16 bytes) + AES-CBC ciphertext, PKCS#7 padding>
//   k8s:enc:aesgcm:v1:<key name>:<nonce (12 bytes) + AES-GCM ciphertext + tag (16 bytes)>
// Upstream stores the bytes after the prefix raw; kts's datastore holds text, so they are base64.
// AES-GCM authenticates the storage key too (as upstream does), so a value cannot be moved to
// another key. The first provider encrypts; reading tries the provider the prefix names, and
// values without a prefix are plain JSON, readable only when an identity provider is configured.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CipherGCMTypes } from 'node:crypto';
import type { Provider } from './config.js';

export class DecryptError extends Error {}

interface Key { name: string; secret: Buffer }
type Mode = 'aescbc' | 'aesgcm';

export class Transformer {
  private readonly write: { mode: Mode; key: Key } | undefined;
  private readonly keys = new Map<string, Key>();
  private readonly identity: boolean;

  constructor(readonly providers: Provider[]) {
    let identity = false;
    for (const p of providers) {
      if ('identity' in p) identity = true;
      else {
        const mode: Mode = 'aescbc' in p ? 'aescbc' : 'aesgcm';
        const list = 'aescbc' in p ? p.aescbc.keys : p.aesgcm.keys;
        for (const k of list) this.keys.set(`${mode}:${k.name}`, { name: k.name, secret: Buffer.from(k.secret, 'base64') });
      }
    }
    this.identity = identity;
    const first = providers[0];
    if (first && !('identity' in first)) {
      const mode: Mode = 'aescbc' in first ? 'aescbc' : 'aesgcm';
      const k = ('aescbc' in first ? first.aescbc.keys : first.aesgcm.keys)[0]!;
      this.write = { mode, key: this.keys.get(`${mode}:${k.name}`)! };
    }
  }

  /** The prefix new writes get ('' when the first provider is identity). */
  get writePrefix(): string {
    return this.write ? `k8s:enc:${this.write.mode}:v1:${this.write.key.name}:` : '';
  }

  encrypt(storageKey: string, plain: string): string {
    if (!this.write) return plain;
    const { mode, key } = this.write;
    const data = Buffer.from(plain, 'utf8');
    let body: Buffer;
    if (mode === 'aescbc') {
      const iv = randomBytes(16);
      const c = createCipheriv(`aes-${key.secret.length * 8}-cbc`, key.secret, iv);
      body = Buffer.concat([iv, c.update(data), c.final()]);
    } else {
      const nonce = randomBytes(12);
      const c = createCipheriv(`aes-${key.secret.length * 8}-gcm` as CipherGCMTypes, key.secret, nonce);
      c.setAAD(Buffer.from(storageKey, 'utf8'));
      body = Buffer.concat([nonce, c.update(data), c.final(), c.getAuthTag()]);
    }
    return `k8s:enc:${mode}:v1:${key.name}:${body.toString('base64')}`;
  }

  decrypt(storageKey: string, stored: string): string {
    if (!stored.startsWith('k8s:enc:')) {
      if (this.identity) return stored;
      throw new DecryptError(`${storageKey}: the value is not encrypted and no identity provider is configured`);
    }
    // Key names may contain ':' (k3s names keys by RFC 3339 time): match whole known prefixes.
    const found = this.keyOf(stored);
    if (!found) {
      const m = /^k8s:enc:([a-z0-9]+):v1:([^:]*)/.exec(stored);
      throw new DecryptError(m ? `${storageKey}: no ${m[1]} key named "${m[2]}…" is configured` : `${storageKey}: malformed encryption prefix`);
    }
    const { mode, key, prefix } = found;
    const body = Buffer.from(stored.slice(prefix.length), 'base64');
    try {
      if (mode === 'aescbc') {
        const d = createDecipheriv(`aes-${key.secret.length * 8}-cbc`, key.secret, body.subarray(0, 16));
        return Buffer.concat([d.update(body.subarray(16)), d.final()]).toString('utf8');
      }
      const d = createDecipheriv(`aes-${key.secret.length * 8}-gcm` as CipherGCMTypes, key.secret, body.subarray(0, 12));
      d.setAAD(Buffer.from(storageKey, 'utf8'));
      d.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]).toString('utf8');
    } catch (e) {
      throw new DecryptError(`${storageKey}: cannot decrypt with ${mode} key "${key.name}": ${(e as Error).message}`);
    }
  }

  /** The configured key that wrote `stored` (undefined: plain, or a key not configured). */
  keyOf(stored: string): { mode: Mode; key: Key; prefix: string } | undefined {
    if (!stored.startsWith('k8s:enc:')) return undefined;
    let best: { mode: Mode; key: Key; prefix: string } | undefined;
    for (const [id, key] of this.keys) {
      const mode = id.slice(0, id.indexOf(':')) as Mode;
      const prefix = `k8s:enc:${mode}:v1:${key.name}:`;
      // The longest match wins ("a" and "a:b" are both valid names).
      if (stored.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { mode, key, prefix };
    }
    return best;
  }

  /** True when `stored` is already written the way this transformer writes (no re-encryption needed). */
  isCurrent(stored: string): boolean {
    const p = this.writePrefix;
    return p ? stored.startsWith(p) : !stored.startsWith('k8s:enc:');
  }
}
