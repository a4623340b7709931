// hostPath volumes: a path on the node, checked against its declared type with upstream's
// messages; DirectoryOrCreate and FileOrCreate create it (0755 / 0644) when nothing is there.
import { chmod, mkdir, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { SetUpContext, VolumePlugin } from './types.js';

export type HostPathType = '' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

export async function checkHostPath(path: string, type: string): Promise<void> {
  if (!path.startsWith('/')) throw new Error(`hostPath ${path} must be an absolute path`);
  const st = await stat(path).catch(() => undefined);
  const fail = (what: string) => new Error(`hostPath type check failed: ${path} is not ${what}`);
  const is = (check: (s: Stats) => boolean) => st !== undefined && check(st);
  if (type === 'DirectoryOrCreate' && !st) {
    await mkdir(path, { recursive: true, mode: 0o755 });
    await chmod(path, 0o755);
    return;
  }
  if (type === 'FileOrCreate' && !st) {
    // Like upstream, the parent directory is not created.
    try {
      await (await open(path, 'a', 0o644)).close();
    } catch (e) {
      throw new Error(`hostPath type check failed: cannot create file ${path}: ${(e as Error).message}`, { cause: e });
    }
    return;
  }
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
    case 'Directory':
      if (!is((s) => s.isDirectory())) throw fail('a directory');
      return;
    case 'FileOrCreate':
    case 'File':
      if (!is((s) => s.isFile())) throw fail('a file');
      return;
    case 'Socket':
      if (!is((s) => s.isSocket())) throw fail('a socket file');
      return;
    case 'CharDevice':
      if (!is((s) => s.isCharacterDevice())) throw fail('a character device');
      return;
    case 'BlockDevice':
      if (!is((s) => s.isBlockDevice())) throw fail('a block device');
      return;
  }
  throw new Error(`${type} is an invalid volume type`);
}

export const hostPathPlugin: VolumePlugin = {
  dirName: 'kubernetes.io~host-path',
  source: 'hostPath',
  refreshable: false,
  alwaysReadOnly: false,
  async setUp(ctx: SetUpContext): Promise<string> {
    const src = ctx.volume.hostPath as { path: string; type?: string };
    await checkHostPath(src.path, src.type ?? '');
    return src.path;
  },
};
