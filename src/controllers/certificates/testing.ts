// Test helpers: keys, CSRs and CSR objects (used by the certificate controllers' tests).
import { generateKeyPairSync } from 'node:crypto';
import { createCsrPem } from '../../api/csr.js';
import type { KObject } from '../../api/types.js';

let cachedKey: string | undefined;

/** One RSA key per test process (generation is slow). */
export function testKey(): string {
  cachedKey ??= generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  return cachedKey;
}

export function csrObject(o: { name?: string; cn: string; o?: string[]; dns?: string[]; ips?: string[]; signerName: string; usages: string[]; username?: string; groups?: string[]; expirationSeconds?: number; conditions?: { type: string; status: string }[] }): KObject {
  const pem = createCsrPem(testKey(), { cn: o.cn, o: o.o }, { dns: o.dns, ips: o.ips });
  return {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: o.name ?? 'csr-1' },
    spec: { request: Buffer.from(pem).toString('base64'), signerName: o.signerName, usages: o.usages, username: o.username ?? 'someone', groups: o.groups ?? [], ...(o.expirationSeconds ? { expirationSeconds: o.expirationSeconds } : {}) },
    status: { conditions: o.conditions ?? [] },
  };
}
