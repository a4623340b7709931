// Root filesystems made of Debian's busybox-static: the pause image and test images need no
// registry. busybox-static is one static binary; applets are symlinks to it.
import { copyFile, chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

export function findBusybox(candidates = BUSYBOX_CANDIDATES): string {
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`busybox not found (looked in ${candidates.join(', ')}); install Debian's busybox-static`);
  return found;
}

/** Writes /bin/busybox plus one symlink per applet in `applets` (and the folders in `dirs`). */
export async function busyboxRootfs(dir: string, applets: string[], dirs: string[] = [], busybox = findBusybox()): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await copyFile(busybox, join(dir, 'bin', 'busybox'));
  await chmod(join(dir, 'bin', 'busybox'), 0o755);
  for (const a of applets) await symlink('busybox', join(dir, 'bin', a));
  for (const d of dirs) {
    await mkdir(join(dir, d), { recursive: true });
    if (d === 'tmp') await chmod(join(dir, d), 0o1777);
  }
}

/** /etc/passwd and /etc/group with root and nobody, which many tools expect. */
export async function minimalEtc(dir: string): Promise<void> {
  await mkdir(join(dir, 'etc'), { recursive: true });
  await writeFile(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(dir, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
}
