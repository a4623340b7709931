// Tightens the modes of the server's private files at every start, also for data dirs created
// by older versions or with a permissive umask: directories holding keys 0700, keys and tokens
// 0600 (as k3s keeps /var/lib/rancher/k3s/server).
import { chmod, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export async function hardenServerFiles(serverDir: string): Promise<string[]> {
  const changed: string[] = [];
  const ensure = async (path: string, mode: number) => {
    try {
      const st = await stat(path);
      if ((st.mode & 0o777) !== mode) {
        await chmod(path, mode);
        changed.push(path);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  };
  await ensure(serverDir, 0o700);
  for (const d of ['tls', 'cred', 'db']) {
    const dir = join(serverDir, d);
    await ensure(dir, 0o700);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith('.key') || n === 'encryption-config.json') await ensure(join(dir, n), 0o600);
  }
  for (const f of ['node-token', 'token', 'agent-token']) await ensure(join(serverDir, f), 0o600);
  return changed;
}
