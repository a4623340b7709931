// Atomic projection of a set of files into a volume directory, as upstream's AtomicWriter: the
// files are written into a fresh timestamped directory, the `..data` symlink is swapped to it with
// one rename, and the user-visible names are symlinks through `..data`. A reader therefore sees
// either the whole old set or the whole new set, never a half-written one.
//
//   <dir>/..2024_05_01_10_00_00.8f3a1c/  the files (mode per file)
//   <dir>/..data -> ..2024_05_01_10_00_00.8f3a1c
//   <dir>/key    -> ..data/key            (one link per top-level path element)
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';

export interface FileProjection {
  data: Buffer;
  mode: number;
}

/** Relative path → content; what one volume should contain. */
export type Payload = Map<string, FileProjection>;

export interface WriteOptions {
  /** The pod's fsGroup: files and directories get this group and group read access. */
  fsGroup?: number;
}

const DATA_LINK = '..data';
const DATA_TMP_LINK = '..data_tmp';

/** Rejects paths a payload must not hold (absolute, `..` elements, names starting with `..`). */
export function validatePayloadPath(p: string): void {
  if (!p) throw new Error('invalid path: must not be empty');
  if (p.length > 4096) throw new Error(`invalid path: must be less than or equal to 4096 characters`);
  if (posix.isAbsolute(p)) throw new Error(`invalid path: must be relative path: ${p}`);
  const parts = p.split('/');
  if (parts.includes('..')) throw new Error(`invalid path: must not contain '..': ${p}`);
  if (p.startsWith('..')) throw new Error(`invalid path: must not start with '..': ${p}`);
  if (parts.some((s) => s === '')) throw new Error(`invalid path: must not contain empty elements: ${p}`);
}

/**
 * Makes `dir` hold exactly `payload`. Returns false when the content and modes were already
 * current (nothing was written), true when a new version was swapped in.
 */
export async function writeAtomic(dir: string, payload: Payload, opts: WriteOptions = {}): Promise<boolean> {
  for (const p of payload.keys()) validatePayloadPath(p);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const oldTs = await currentTimestampDir(dir);
  if (oldTs && (await matches(join(dir, oldTs), payload, opts))) return false;

  const tsName = `..${timestamp(new Date())}.${randomBytes(5).toString('hex')}`;
  const tsDir = join(dir, tsName);
  await mkdir(tsDir, { mode: 0o755 });
  await chmod(tsDir, 0o755);
  try {
    for (const [p, f] of payload) {
      const file = join(tsDir, p);
      await mkdir(dirname(file), { recursive: true, mode: 0o755 });
      await writeFile(file, f.data, { mode: f.mode });
      await chmod(file, effectiveMode(f.mode, opts));
      if (opts.fsGroup !== undefined) await chown(file, -1, opts.fsGroup);
    }
    if (opts.fsGroup !== undefined) await chownDirs(tsDir, opts.fsGroup);
    // The swap: a new link renamed over the old one is atomic.
    await rm(join(dir, DATA_TMP_LINK), { force: true });
    await symlink(tsName, join(dir, DATA_TMP_LINK));
    await rename(join(dir, DATA_TMP_LINK), join(dir, DATA_LINK));
  } catch (e) {
    await rm(tsDir, { recursive: true, force: true });
    throw e;
  }

  const top = new Set([...payload.keys()].map((p) => p.split('/')[0]!));
  for (const name of top) {
    const link = join(dir, name);
    const target = join(DATA_LINK, name);
    const cur = await readlink(link).catch(() => undefined);
    if (cur === target) continue;
    if (cur === undefined && (await lstat(link).catch(() => undefined))) {
      throw new Error(`cannot project ${name}: a non-link file is in the way in ${dir}`);
    }
    const tmp = join(dir, `..link_tmp.${randomBytes(4).toString('hex')}`);
    await symlink(target, tmp);
    await rename(tmp, link);
  }
  // Names the new version no longer has: only our own links are removed.
  for (const name of await readdir(dir)) {
    if (name.startsWith('..') || top.has(name)) continue;
    const cur = await readlink(join(dir, name)).catch(() => undefined);
    if (cur !== undefined && cur.startsWith(`${DATA_LINK}/`)) await rm(join(dir, name), { force: true });
  }
  // Old versions (and leftovers of interrupted writes) go last, once nothing points at them.
  for (const name of await readdir(dir)) {
    if (name.startsWith('..') && name !== DATA_LINK && name !== tsName && /^\.\.\d{4}_/.test(name)) {
      await rm(join(dir, name), { recursive: true, force: true });
    }
  }
  return true;
}

/** Reads back what `dir` currently projects (tests, diagnostics). */
export async function readProjected(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ts = await currentTimestampDir(dir);
  if (!ts) return out;
  const walk = async (rel: string) => {
    for (const e of await readdir(join(dir, ts, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else out.set(r, await readFile(join(dir, ts, r), 'utf8'));
    }
  };
  await walk('');
  return out;
}

async function currentTimestampDir(dir: string): Promise<string | undefined> {
  const t = await readlink(join(dir, DATA_LINK)).catch(() => undefined);
  if (!t) return undefined;
  return (await stat(join(dir, t)).catch(() => undefined))?.isDirectory() ? t : undefined;
}

function effectiveMode(mode: number, opts: WriteOptions): number {
  return opts.fsGroup !== undefined ? mode | 0o440 : mode;
}

async function matches(tsDir: string, payload: Payload, opts: WriteOptions): Promise<boolean> {
  const present = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(tsDir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else present.add(r);
    }
  };
  await walk('');
  if (present.size !== payload.size) return false;
  for (const [p, f] of payload) {
    if (!present.has(p)) return false;
    const st = await stat(join(tsDir, p));
    if ((st.mode & 0o7777) !== effectiveMode(f.mode, opts)) return false;
    if (opts.fsGroup !== undefined && st.gid !== opts.fsGroup) return false;
    if (st.size !== f.data.length || !(await readFile(join(tsDir, p))).equals(f.data)) return false;
  }
  return true;
}

async function chownDirs(root: string, gid: number): Promise<void> {
  await chown(root, -1, gid);
  for (const e of await readdir(root, { withFileTypes: true })) {
    if (e.isDirectory()) await chownDirs(join(root, e.name), gid);
  }
}

function timestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}`;
}
