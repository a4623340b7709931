// `kts image import FILE.tar…`, `kts image ls` and `kts image build-pause FILE`: the node's
// images without a registry. import and ls talk to the agent's containerd (its socket under the
// data dir), as `ctr images import` and `crictl images` would.
import { parseArgs } from 'node:util';
import { containerdPaths } from '../kubelet/containerd/paths.js';
import { checkHealth } from '../kubelet/containerd/health.js';
import { importArchive } from '../kubelet/images/import.js';
import { buildPauseImage, PAUSE_IMAGE } from '../kubelet/images/pause-image.js';
import { CriClient } from '../kubelet/cri/client.js';
import type { Image } from '../kubelet/cri/types.js';
import { defaultDataDir } from '../server/config.js';

const HELP = `Usage:
  kts image import [--data-dir DIR] FILE.tar…   Import OCI or docker image archives into the node
  kts image ls [--data-dir DIR]                 List the node's images (as crictl images)
  kts image build-pause FILE                    Build the sandbox image (${PAUSE_IMAGE}) archive

The node's containerd must be running (kts server or kts agent). Archives copied to
<data-dir>/agent/images/ are imported when the agent starts.
`;

/** Size as crictl prints it (decimal units, 3 significant digits). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/** Rows of `crictl images`: one per tag; untagged images show <none>. */
export function imageRows(images: Image[]): string[][] {
  const rows: string[][] = [];
  for (const img of images) {
    const id = img.id.replace(/^sha256:/, '').slice(0, 13);
    const size = humanSize(Number(img.size));
    const split = (ref: string, sep: string) => {
      const at = sep === ':' ? ref.lastIndexOf(':') : ref.indexOf('@');
      return at > ref.lastIndexOf('/') || sep === '@' ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, '<none>'];
    };
    if (img.repoTags.length) for (const t of img.repoTags) rows.push([...split(t, ':'), id, size]);
    else if (img.repoDigests.length) rows.push([split(img.repoDigests[0], '@')[0], '<none>', id, size]);
    else rows.push(['<none>', '<none>', id, size]);
  }
  return rows.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
}

/** Columns as Go's tabwriter with crictl's settings (min width 20, padding 3). */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(20, ...all.map((r) => r[c].length + 3)));
  return all.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('')).join('\n') + '\n';
}

async function runningSocket(dataDir: string): Promise<string> {
  const socket = containerdPaths(dataDir).socket;
  if (!(await checkHealth(socket, 3000))) {
    throw new Error(`the containerd of ${dataDir} is not running (no answer on ${socket}); start kts server or kts agent, or copy archives to ${containerdPaths(dataDir).imagesDir}/ to import them at start`);
  }
  return socket;
}

export async function imageCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(HELP);
    return sub ? 0 : 2;
  }
  let values: { 'data-dir'?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, strict: true, allowPositionals: true, options: { 'data-dir': { type: 'string', short: 'd' } } }));
  } catch (e) {
    process.stderr.write(`kts image ${sub}: ${(e as Error).message}\n`);
    return 2;
  }
  const dataDir = values['data-dir'] ?? defaultDataDir();
  try {
    if (sub === 'import') {
      if (!positionals.length) throw new UsageError('kts image import: name at least one archive');
      const socket = await runningSocket(dataDir);
      for (const file of positionals) {
        const names = await importArchive(socket, file);
        process.stdout.write(names.length ? names.map((n) => `imported ${n}\n`).join('') : `${file}: no images found in the archive\n`);
      }
      return 0;
    }
    if (sub === 'ls' || sub === 'list') {
      if (positionals.length) throw new UsageError(`kts image ls takes no arguments (got ${positionals.join(' ')})`);
      const cri = new CriClient(await runningSocket(dataDir), 30_000);
      try {
        process.stdout.write(formatTable(['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], imageRows(await cri.listImages())));
      } finally {
        cri.close();
      }
      return 0;
    }
    if (sub === 'build-pause') {
      if (positionals.length !== 1) throw new UsageError('kts image build-pause: name the archive to write');
      const built = await buildPauseImage(positionals[0]);
      process.stdout.write(`built ${PAUSE_IMAGE} (${built.configDigest}) in ${built.path}\n`);
      return 0;
    }
    throw new UsageError(`kts image: unknown command "${sub}"\n\n${HELP}`);
  } catch (e) {
    process.stderr.write(`${e instanceof UsageError ? '' : `kts image ${sub}: `}${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

class UsageError extends Error {}
