// k3s's --secrets-encryption: the EncryptionConfiguration at <data-dir>/server/cred/
// encryption-config.json (generated, 0600, on the first start with the flag), the encrypting
// storage decorator for Secrets, and the server side of `kts secrets-encrypt status|rotate-keys`
// (served on the API port under /v1-kts/encrypt/, for system:masters only).
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from '../storage/backend.js';
import { EncryptingBackend } from '../storage/encryption/encrypting-backend.js';
import { Transformer } from '../storage/encryption/transformer.js';
import { defaultEncryptionConfig, newKeySecret, parseEncryptionConfig, providersFor } from '../storage/encryption/config.js';
import type { EncryptionConfiguration, Provider } from '../storage/encryption/config.js';
import { countByKey, reencryptPrefix } from '../storage/encryption/reencrypt.js';
import { StatusError } from '../api/errors.js';
import type { UserInfo } from '../apiserver/authn.js';
import { writeFileAtomic } from '../util/fs.js';
import type { Logger } from '../util/log.js';

export const SECRETS_PREFIX = '/registry/secrets/';
export const ENCRYPT_STATUS_PATH = '/v1-kts/encrypt/status';
export const ENCRYPT_ROTATE_PATH = '/v1-kts/encrypt/rotate-keys';

export function encryptionConfigPath(dataDir: string): string {
  return join(dataDir, 'server', 'cred', 'encryption-config.json');
}

export interface SecretsEncryption {
  backend: EncryptingBackend;
  enabled: boolean;
  stage: string;
  configPath: string;
  rotating?: boolean;
}

function disabled(): StatusError {
  return new StatusError(400, 'BadRequest', 'secrets encryption is disabled: start the server with --secrets-encryption');
}

/**
 * Wraps the datastore when encryption is on (or was: an existing configuration without the flag
 * still decrypts what it wrote, with identity first so new writes are plain). Returns undefined
 * when there is nothing to do.
 */
export async function setUpSecretsEncryption(dataDir: string, enabled: boolean, backend: Backend, log: Logger): Promise<SecretsEncryption | undefined> {
  const path = encryptionConfigPath(dataDir);
  let cfg: EncryptionConfiguration;
  if (existsSync(path)) {
    try {
      cfg = parseEncryptionConfig(await readFile(path, 'utf8'));
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
    }
  } else if (enabled) {
    cfg = defaultEncryptionConfig();
    await writeConfig(path, cfg);
    log.info(`secrets encryption: generated ${path}`);
  } else return undefined;
  let providers = providersFor(cfg, 'secrets')!;
  if (!enabled) {
    log.warn(`secrets encryption: ${path} exists but --secrets-encryption is off; Secrets it encrypted stay readable, new writes are stored unencrypted`);
    providers = [{ identity: {} }, ...providers.filter((p) => !('identity' in p))];
  }
  const enc = new EncryptingBackend(backend, [SECRETS_PREFIX], new Transformer(providers), (m) => log.error(`secrets encryption: ${m}`));
  const se: SecretsEncryption = { backend: enc, enabled, stage: 'start', configPath: path };
  return se;
}

/**
 * With encryption on, rewrites what is not yet written with the current key: Secrets stored before
 * encryption was turned on, or left by a rotation that was interrupted. Runs once per start.
 */
export async function encryptRemaining(se: SecretsEncryption, log: Logger): Promise<void> {
  if (!se.enabled) return;
  const r = await reencryptPrefix(se.backend, SECRETS_PREFIX);
  if (r.rewritten) log.info(`secrets encryption: encrypted ${r.rewritten} secrets stored without the current key`);
}

async function writeConfig(path: string, cfg: EncryptionConfiguration): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, JSON.stringify(cfg, null, 2) + '\n', 0o600);
}

export interface RotateResult {
  newKey: string;
  removedKeys: string[];
  reencrypted: number;
  unchanged: number;
}

/**
 * k3s's rotate-keys: a new AES-CBC key goes first (old keys still decrypt), every Secret is
 * rewritten with it, then the old keys are dropped. The configuration on disk follows each step,
 * so a crash halfway leaves a configuration that still reads every stored value.
 */
export async function rotateKeys(se: SecretsEncryption, now = new Date()): Promise<RotateResult> {
  if (!se.enabled) throw disabled();
  const cfg = parseEncryptionConfig(await readFile(se.configPath, 'utf8'));
  const entry = cfg.resources.find((r) => r.resources.includes('secrets'))!;
  const newKey = `aescbckey-${now.toISOString().replace(/\.\d+Z$/, 'Z')}`;
  const old = entry.providers.filter((p) => !('identity' in p));
  const removedKeys = old.flatMap((p) => ('aescbc' in p ? p.aescbc.keys : 'aesgcm' in p ? p.aesgcm.keys : []).map((k) => k.name));
  const fresh: Provider = { aescbc: { keys: [{ name: newKey, secret: newKeySecret() }] } };
  se.stage = 'rotate';
  entry.providers = [fresh, ...entry.providers];
  await writeConfig(se.configPath, cfg);
  se.backend.setTransformer(new Transformer(entry.providers));
  se.stage = 'reencrypt_active';
  const r = await reencryptPrefix(se.backend, SECRETS_PREFIX);
  // Everything is now written with the new key (or was deleted): the old keys can go. Identity
  // stays last so data written before encryption was on (if any remained) would stay readable.
  entry.providers = [fresh, { identity: {} }];
  await writeConfig(se.configPath, cfg);
  se.backend.setTransformer(new Transformer(entry.providers));
  se.stage = 'reencrypt_finished';
  return { newKey, removedKeys, reencrypted: r.rewritten, unchanged: r.current };
}

export interface EncryptionStatus {
  enabled: boolean;
  stage: string;
  keys: { active: boolean; type: string; name: string }[];
  /** Stored Secrets per key ("identity": unencrypted). */
  secretsByKey: Record<string, number>;
}

export async function encryptionStatus(se: SecretsEncryption): Promise<EncryptionStatus> {
  const keys: EncryptionStatus['keys'] = [];
  se.backend.current.providers.forEach((p, i) => {
    if ('aescbc' in p) for (const [j, k] of p.aescbc.keys.entries()) keys.push({ active: i === 0 && j === 0, type: 'AES-CBC', name: k.name });
    if ('aesgcm' in p) for (const [j, k] of p.aesgcm.keys.entries()) keys.push({ active: i === 0 && j === 0, type: 'AES-GCM', name: k.name });
  });
  return { enabled: se.enabled, stage: se.stage, keys, secretsByKey: Object.fromEntries(await countByKey(se.backend, SECRETS_PREFIX)) };
}

/** Serves the two endpoints; false when `path` is not one of them. */
export function secretsEncryptionRoutes(se: SecretsEncryption | undefined) {
  return async (path: string, req: IncomingMessage, res: ServerResponse, user: UserInfo): Promise<boolean> => {
    if (path !== ENCRYPT_STATUS_PATH && path !== ENCRYPT_ROTATE_PATH) return false;
    const verb = path === ENCRYPT_STATUS_PATH ? 'get' : 'post';
    if (!user.groups.includes('system:masters')) throw new StatusError(403, 'Forbidden', `forbidden: User "${user.name}" cannot ${verb} path "${path}"`);
    if ((req.method ?? 'GET').toLowerCase() !== verb) throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    let body: unknown;
    if (path === ENCRYPT_STATUS_PATH) body = se ? await encryptionStatus(se) : { enabled: false, stage: '', keys: [], secretsByKey: {} };
    else if (!se) throw disabled();
    else if (se.rotating) throw new StatusError(409, 'Conflict', 'a key rotation is already in progress');
    else {
      se.rotating = true;
      try {
        body = await rotateKeys(se);
      } finally {
        se.rotating = false;
      }
    }
    const text = JSON.stringify(body);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  };
}
