// The key pair that signs service account tokens (`<tls dir>/service-account.key`, PKCS#8 PEM,
// mode 0600, as k3s keeps it beside the other server keys). Kept across restarts, so tokens
// issued before a restart stay valid.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';

export interface ServiceAccountKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export async function ensureServiceAccountKey(tlsDir: string): Promise<ServiceAccountKeyPair> {
  const path = join(tlsDir, 'service-account.key');
  let privateKeyPem: string;
  if (existsSync(path)) privateKeyPem = readFileSync(path, 'utf8');
  else {
    mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await writeFileAtomic(path, privateKeyPem, 0o600);
  }
  const publicKeyPem = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }) as string;
  return { privateKeyPem, publicKeyPem };
}
