// tmpfs mounts for memory-backed volumes (emptyDir medium Memory, secret and projected volumes as
// upstream keeps them off disk) and the mount table look-ups teardown needs. Mounting needs root.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mount points at or under `root`, deepest first (the order to unmount them). */
export async function mountsUnder(root: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    // mountinfo escapes space, tab, newline and backslash as octal.
    const p = mp.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (p === root || p.startsWith(prefix)) out.push(p);
  }
  return out.sort((a, b) => b.length - a.length);
}

export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountsUnder(path)).includes(path);
}

/** Mounts a tmpfs on `dir` (an existing directory) unless one is there already. */
export async function ensureTmpfs(dir: string, sizeBytes?: number): Promise<void> {
  if (await isMountPoint(dir)) return;
  const opts = ['mode=0777', ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(',');
  try {
    await run('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`mount of tmpfs at ${dir} failed: ${(err.stderr || err.message).trim()}`, { cause: e });
  }
}

export async function unmount(path: string): Promise<void> {
  try {
    await run('umount', [path]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    // Busy mounts are detached lazily rather than left behind for ever.
    await run('umount', ['-l', path]).catch((e2: unknown) => {
      throw new Error(`unmount of ${path} failed: ${(err.stderr || err.message).trim()}`, { cause: e2 });
    });
  }
}
