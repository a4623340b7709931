// Getting images into the node's containerd without a registry: `ctr images import` of OCI or
// docker archives into the CRI namespace (k8s.io), the archives dropped in
// <data-dir>/agent/images/ (imported once: their digests are recorded), and the pause image,
// built on the spot when containerd lacks it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import type { Logger } from '../../util/log.js';
import { writeFileAtomic } from '../../util/fs.js';
import { buildPauseImage, PAUSE_IMAGE } from './pause-image.js';

const run = promisify(execFile);

/** What import needs to know whether an image is present (CriClient satisfies it). */
export interface ImagePresence {
  imageStatus(image: string): Promise<{ id: string } | null>;
}

/** Imports one archive into the k8s.io namespace of the containerd at `socket`; returns the image names. */
export async function importArchive(socket: string, file: string, ctr = 'ctr'): Promise<string[]> {
  try {
    const { stdout } = await run(ctr, ['-a', socket, '-n', 'k8s.io', 'images', 'import', file], { maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000 });
    // "unpacking <name> (sha256:…)...done", one line per image.
    return [...stdout.matchAll(/^unpacking (\S+) \(sha256:[0-9a-f]+\)/gm)].map((m) => m[1]);
  } catch (e) {
    const err = e as { stderr?: string; message: string; code?: string | number };
    if (err.code === 'ENOENT') throw new Error(`${ctr} not found: install Debian's containerd package (it provides ctr)`, { cause: e });
    throw new Error(`importing ${file}: ${(err.stderr || err.message).trim()}`, { cause: e });
  }
}

export async function fileDigest(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

type Record_ = Record<string, { file: string; images: string[] }>;

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.zst|tar\.lz4|tar\.bz2|oci)$/i;

/**
 * Imports every archive in `dir` whose digest is not recorded in `stateFile` with all of its
 * images still present. Returns what it imported; failures are logged and retried next start.
 */
export async function importArchiveFolder(o: { socket: string; dir: string; stateFile: string; images: ImagePresence; log: Logger; ctr?: string }): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(o.dir)).filter((n) => ARCHIVE.test(n)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  let done: Record_ = {};
  try {
    done = JSON.parse(await readFile(o.stateFile, 'utf8')) as Record_;
  } catch {
    // first start, or an unreadable record: import again
  }
  const imported: string[] = [];
  for (const name of names) {
    const file = join(o.dir, name);
    if (!(await stat(file)).isFile()) continue;
    const digest = await fileDigest(file);
    const prev = done[digest];
    if (prev && prev.images.length && (await Promise.all(prev.images.map((i) => o.images.imageStatus(i)))).every(Boolean)) continue;
    try {
      const images = await importArchive(o.socket, file, o.ctr);
      done[digest] = { file: name, images };
      imported.push(...images);
      o.log.info(`imported ${images.join(', ') || 'no images'} from ${file}`);
    } catch (e) {
      o.log.error((e as Error).message);
    }
  }
  await writeFileAtomic(o.stateFile, JSON.stringify(done, null, 2) + '\n');
  return imported;
}

/** Makes sure the sandbox image is in containerd: builds and imports it when missing. */
export async function ensurePauseImage(o: { socket: string; images: ImagePresence; log: Logger; ref?: string; ctr?: string }): Promise<void> {
  const ref = o.ref ?? PAUSE_IMAGE;
  if (await o.images.imageStatus(ref)) return;
  const dir = await mkdtemp(join(tmpdir(), 'kts-pause-'));
  try {
    const built = await buildPauseImage(join(dir, 'pause.tar'), ref);
    await importArchive(o.socket, built.path, o.ctr);
    o.log.info(`built and imported the sandbox image ${ref} (${built.configDigest.slice(0, 19)})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
