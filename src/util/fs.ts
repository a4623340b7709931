// File writes that a crash cannot tear: keys, certificates and kubeconfigs are read back on the
// next start, and a half-written key would make the server unable to start at all.
import { randomBytes } from 'node:crypto';
import { chmod, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` atomically: a temporary file in the same directory is written with
 * `mode`, flushed to disk and renamed over `path`, so readers see the old or the new content,
 * never a part. The temporary file is created with `mode` already, so a secret is never
 * readable by others, even briefly.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    // open() applies the umask; the caller's mode is what the file must end up with.
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/** Flushes a directory so a rename in it survives a power loss. Not every platform allows it. */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Directories cannot be opened or fsynced on some platforms (Windows); the rename stands.
  } finally {
    await fh?.close();
  }
}

/** Flushes a file's content to disk (for files written by someone else, e.g. SQLite's VACUUM INTO). */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
