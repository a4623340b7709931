// The security flags of `kts server` (k3s's, RKE2's and kube-apiserver's names): secrets
// encryption at rest, the audit log, the PodSecurity configuration. Validated here; the pieces they
// turn on live in secrets-encryption.ts, audit-log.ts and apiserver/admission/pod-security/.
import { readFileSync } from 'node:fs';
import { parsePodSecurityConfig } from '../apiserver/admission/pod-security/config.js';
import type { PodSecurityConfig } from '../apiserver/admission/pod-security/config.js';

export interface SecurityConfig {
  secretsEncryption: boolean;
  audit?: { path: string; policyFile?: string; maxAge: number; maxBackup: number; maxSize: number };
  /** PodSecurity defaults and exemptions (absent: privileged everywhere, nothing exempt). */
  podSecurity?: PodSecurityConfig;
}

export interface RawSecurityFlags {
  'secrets-encryption'?: boolean;
  'audit-log-path'?: string;
  'audit-policy-file'?: string;
  'audit-log-maxage'?: string;
  'audit-log-maxbackup'?: string;
  'audit-log-maxsize'?: string;
  'pod-security-admission-config-file'?: string;
}

/** parseArgs options for the flags above. */
export const securityFlagOptions = {
  'secrets-encryption': { type: 'boolean' },
  'audit-log-path': { type: 'string' },
  'audit-policy-file': { type: 'string' },
  'audit-log-maxage': { type: 'string' },
  'audit-log-maxbackup': { type: 'string' },
  'audit-log-maxsize': { type: 'string' },
  'pod-security-admission-config-file': { type: 'string' },
} as const;

export const SECURITY_HELP = `
Security flags:
      --secrets-encryption         Encrypt Secrets at rest (key in <data-dir>/server/cred/encryption-config.json)
      --audit-log-path FILE        Write audit events (audit.k8s.io/v1 JSON lines) to FILE ('-': stdout)
      --audit-policy-file FILE     Audit Policy (audit.k8s.io/v1); default: Metadata for every request
      --audit-log-maxage DAYS      Delete rotated audit logs older than DAYS (default 0: keep)
      --audit-log-maxbackup N      Keep at most N rotated audit logs (default 0: keep all)
      --audit-log-maxsize MB       Rotate the audit log when it reaches MB megabytes (default 0: never)
      --pod-security-admission-config-file FILE  PodSecurity defaults and exemptions
                                   (PodSecurityConfiguration, or an AdmissionConfiguration holding one)
`;

export function buildSecurityConfig(f: RawSecurityFlags, fail: (msg: string) => Error): SecurityConfig {
  const num = (flag: 'audit-log-maxage' | 'audit-log-maxbackup' | 'audit-log-maxsize'): number => {
    const v = f[flag];
    if (v === undefined) return 0;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw fail(`--${flag}: must be a non-negative integer (got "${v}")`);
    return n;
  };
  const maxAge = num('audit-log-maxage');
  const maxBackup = num('audit-log-maxbackup');
  const maxSize = num('audit-log-maxsize');
  if (!f['audit-log-path'] && f['audit-policy-file']) throw fail('--audit-policy-file: requires --audit-log-path');
  let podSecurity: PodSecurityConfig | undefined;
  const psa = f['pod-security-admission-config-file'];
  if (psa) {
    try {
      podSecurity = parsePodSecurityConfig(readFileSync(psa, 'utf8'));
    } catch (e) {
      throw fail(`--pod-security-admission-config-file: ${(e as Error).message}`);
    }
  }
  return {
    secretsEncryption: f['secrets-encryption'] ?? false,
    audit: f['audit-log-path'] ? { path: f['audit-log-path'], policyFile: f['audit-policy-file'], maxAge, maxBackup, maxSize } : undefined,
    ...(podSecurity ? { podSecurity } : {}),
  };
}
