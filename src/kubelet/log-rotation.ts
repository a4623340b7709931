// Container log rotation, as upstream's container log manager: when a running container's log
// file passes the size limit (10 MiB), it is renamed to `<log>.<UTC timestamp>`, the runtime is
// asked to reopen the log (ReopenContainerLog), and only the newest rotated files are kept so
// that at most `maxFiles` files (including the live one) remain.
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CriClient } from './cri/client.js';
import type { RuntimeCache } from './runtime-cache.js';

export const MAX_LOG_BYTES = 10 * 1024 * 1024;
export const MAX_LOG_FILES = 5;

/** `20261122-183000` style suffix (sorts by time). */
export function rotationSuffix(now = new Date()): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** Rotated files of `logPath`, oldest first. */
export async function rotatedFiles(logPath: string): Promise<string[]> {
  const dir = dirname(logPath);
  const base = basename(logPath);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(`${base}.`) && !n.endsWith('.tmp')).sort().map((n) => join(dir, n));
}

export async function rotateIfNeeded(cri: Pick<CriClient, 'reopenContainerLog'>, containerId: string, logPath: string, maxBytes = MAX_LOG_BYTES, maxFiles = MAX_LOG_FILES): Promise<boolean> {
  const st = await stat(logPath).catch(() => undefined);
  if (!st || st.size < maxBytes) return false;
  let target = `${logPath}.${rotationSuffix()}`;
  if (await stat(target).catch(() => undefined)) target = `${target}-${Date.now() % 1000}`;
  await rename(logPath, target);
  try {
    await cri.reopenContainerLog(containerId);
  } catch (e) {
    // The container stopped meanwhile: put the file back so nothing is lost.
    await rename(target, logPath).catch(() => undefined);
    throw e;
  }
  const old = await rotatedFiles(logPath);
  for (const f of old.slice(0, Math.max(0, old.length - (maxFiles - 1)))) await unlink(f).catch(() => undefined);
  return true;
}

/** Checks every running container of the node once. */
export async function rotateAll(cri: CriClient, cache: RuntimeCache, resolvePath: (podUid: string, logPath: string) => string | undefined): Promise<number> {
  let n = 0;
  for (const p of cache.all()) {
    for (const c of p.containers) {
      if (c.state !== 'CONTAINER_RUNNING' || !c.logPath) continue;
      const path = resolvePath(p.uid, c.logPath);
      if (path && (await rotateIfNeeded(cri, c.id, path).catch(() => false))) n++;
    }
  }
  return n;
}
