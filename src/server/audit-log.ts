// Turns --audit-log-* into the API server's Auditor: the policy (file or the default) and the
// buffered, rotating file writer. Returns a closer that flushes what is buffered.
import { readFile } from 'node:fs/promises';
import { Auditor } from '../apiserver/audit/auditor.js';
import { AuditFileWriter } from '../apiserver/audit/file-writer.js';
import { DEFAULT_POLICY, parsePolicy } from '../apiserver/audit/policy.js';
import type { Logger } from '../util/log.js';
import type { SecurityConfig } from './security-config.js';

export async function startAuditLog(cfg: SecurityConfig['audit'], log: Logger): Promise<{ auditor: Auditor; close: () => Promise<void> } | undefined> {
  if (!cfg) return undefined;
  let policy = DEFAULT_POLICY;
  if (cfg.policyFile) {
    try {
      policy = parsePolicy(await readFile(cfg.policyFile, 'utf8'));
    } catch (e) {
      throw new Error(`--audit-policy-file ${cfg.policyFile}: ${(e as Error).message}`, { cause: e });
    }
  }
  const writer = new AuditFileWriter({ path: cfg.path, maxAge: cfg.maxAge, maxBackup: cfg.maxBackup, maxSize: cfg.maxSize, onError: (m) => log.error(m) });
  return { auditor: new Auditor(policy, writer), close: () => writer.close() };
}
