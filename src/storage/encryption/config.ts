// Upstream's EncryptionConfiguration (apiserver.config.k8s.io/v1), the subset kts supports:
// resources ["secrets"] with the providers aescbc, aesgcm (named base64 keys) and identity. The
// first provider of a resource encrypts; every provider is tried when reading, so values written
// under an older key stay readable while keys rotate.
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';

export interface ProviderKey { name: string; secret: string }
export type Provider = { aescbc: { keys: ProviderKey[] } } | { aesgcm: { keys: ProviderKey[] } } | { identity: Record<string, never> };

export interface EncryptionConfiguration {
  kind: 'EncryptionConfiguration';
  apiVersion: 'apiserver.config.k8s.io/v1';
  resources: { resources: string[]; providers: Provider[] }[];
}

export class EncryptionConfigError extends Error {}

const SUPPORTED_RESOURCES = new Set(['secrets']);

/** Parses (JSON or YAML, as upstream reads it) and validates; errors name the field. */
export function parseEncryptionConfig(text: string): EncryptionConfiguration {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new EncryptionConfigError(`encryption configuration is not valid JSON or YAML: ${(e as Error).message}`);
  }
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new EncryptionConfigError('encryption configuration must be an object');
  if (o.kind !== 'EncryptionConfiguration') throw new EncryptionConfigError(`kind: ${o.kind === undefined ? `Required value: must be "EncryptionConfiguration"` : `Unsupported value: ${JSON.stringify(o.kind)}: supported values: "EncryptionConfiguration"`}`);
  if (o.apiVersion !== 'apiserver.config.k8s.io/v1') throw new EncryptionConfigError(`apiVersion: ${o.apiVersion === undefined ? `Required value: must be "apiserver.config.k8s.io/v1"` : `Unsupported value: ${JSON.stringify(o.apiVersion)}: supported values: "apiserver.config.k8s.io/v1"`}`);
  if (!Array.isArray(o.resources) || o.resources.length === 0) throw new EncryptionConfigError('resources: Required value: at least one resource list is required');
  o.resources.forEach((r: unknown, i: number) => {
    const f = `resources[${i}]`;
    const rc = r as { resources?: unknown; providers?: unknown };
    if (!Array.isArray(rc?.resources) || rc.resources.length === 0) throw new EncryptionConfigError(`${f}.resources: Required value: at least one resource is required`);
    for (const [j, name] of rc.resources.entries()) {
      if (!SUPPORTED_RESOURCES.has(name as string)) throw new EncryptionConfigError(`${f}.resources[${j}]: Unsupported value: ${JSON.stringify(name)}: kts encrypts only "secrets"`);
    }
    if (!Array.isArray(rc.providers) || rc.providers.length === 0) throw new EncryptionConfigError(`${f}.providers: Required value: at least one provider is required`);
    rc.providers.forEach((p: unknown, j: number) => validateProvider(p, `${f}.providers[${j}]`));
  });
  return o as unknown as EncryptionConfiguration;
}

function validateProvider(p: unknown, f: string): void {
  const keys = Object.keys((p ?? {}) as object);
  if (keys.length !== 1) throw new EncryptionConfigError(`${f}: Invalid value: exactly one provider must be set (aescbc, aesgcm or identity)`);
  const kind = keys[0]!;
  if (kind === 'identity') return;
  if (kind !== 'aescbc' && kind !== 'aesgcm') throw new EncryptionConfigError(`${f}.${kind}: Unsupported value: supported providers are "aescbc", "aesgcm", "identity"`);
  const list = ((p as Record<string, { keys?: unknown }>)[kind] ?? {}).keys;
  if (!Array.isArray(list) || list.length === 0) throw new EncryptionConfigError(`${f}.${kind}.keys: Required value: at least one key is required`);
  const seen = new Set<string>();
  list.forEach((k: { name?: unknown; secret?: unknown }, i: number) => {
    const kf = `${f}.${kind}.keys[${i}]`;
    if (typeof k?.name !== 'string' || !k.name) throw new EncryptionConfigError(`${kf}.name: Required value: key name is required`);
    if (seen.has(k.name)) throw new EncryptionConfigError(`${kf}.name: Duplicate value: ${JSON.stringify(k.name)}`);
    seen.add(k.name);
    if (typeof k.secret !== 'string' || !k.secret) throw new EncryptionConfigError(`${kf}.secret: Required value: secret is required`);
    const len = Buffer.from(k.secret, 'base64').length;
    if (![16, 24, 32].includes(len)) throw new EncryptionConfigError(`${kf}.secret: Invalid value: "REDACTED": secret is not of the expected length, got ${len}, expected one of [16 24 32]`);
  });
}

/** A new 32-byte key, base64 (as `head -c 32 /dev/urandom | base64`). */
export function newKeySecret(): string {
  return randomBytes(32).toString('base64');
}

/** k3s's first-start configuration: one aescbc key, then identity (reads data written before encryption). */
export function defaultEncryptionConfig(keyName = 'aescbckey'): EncryptionConfiguration {
  return {
    kind: 'EncryptionConfiguration',
    apiVersion: 'apiserver.config.k8s.io/v1',
    resources: [{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: keyName, secret: newKeySecret() }] } }, { identity: {} }] }],
  };
}

/** The providers configured for `resource` (undefined: stored as is). */
export function providersFor(cfg: EncryptionConfiguration, resource: string): Provider[] | undefined {
  return cfg.resources.find((r) => r.resources.includes(resource))?.providers;
}
