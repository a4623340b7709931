// Secret-bearing volumes live on tmpfs as upstream's wrap them in a memory emptyDir. Without the
// privilege to mount (a non-root development run) they fall back to disk, with a warning.
import { mkdir } from 'node:fs/promises';
import type { Logger } from '../../util/log.js';
import { ensureTmpfs } from './tmpfs.js';

export async function memoryBacked(dir: string, log: Logger): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() !== 0) {
    log.warn(`not root: ${dir} is kept on disk, not tmpfs`);
    return;
  }
  await ensureTmpfs(dir);
}
