// emptyDir volumes: a directory in the pod's volume dir (mode 0777, as upstream), or a tmpfs for
// medium Memory sized by sizeLimit (default: the node's memory). A disk sizeLimit is not enforced
// (upstream evicts the pod; kts has no eviction manager yet).
import { chmod, chown, mkdir } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { parseQuantity } from '../../api/quantity.js';
import { ensureTmpfs } from './tmpfs.js';
import { fsGroupOf, type SetUpContext, type VolumePlugin } from './types.js';

export const emptyDirPlugin: VolumePlugin = {
  dirName: 'kubernetes.io~empty-dir',
  source: 'emptyDir',
  refreshable: false,
  alwaysReadOnly: false,
  async setUp(ctx: SetUpContext): Promise<string> {
    const src = (ctx.volume.emptyDir ?? {}) as { medium?: string; sizeLimit?: string };
    const medium = src.medium ?? '';
    if (medium !== '' && medium !== 'Memory') {
      throw new Error(`emptyDir medium "${medium}" is not supported (only "" and "Memory")`);
    }
    await mkdir(ctx.dir, { recursive: true, mode: 0o777 });
    if (medium === 'Memory') {
      let size = totalmem();
      if (src.sizeLimit !== undefined) {
        const q = parseQuantity(src.sizeLimit);
        if (!q || q.nanos <= 0n) throw new Error(`invalid emptyDir sizeLimit "${src.sizeLimit}"`);
        size = Number((q.nanos + 999_999_999n) / 1_000_000_000n);
      }
      await ensureTmpfs(ctx.dir, size);
    }
    const gid = fsGroupOf(ctx.pod);
    if (gid !== undefined) {
      // Upstream's SetVolumeOwnership: the group owns it and new files inherit the group (setgid).
      await chown(ctx.dir, -1, gid);
      await chmod(ctx.dir, 0o2777);
    } else await chmod(ctx.dir, 0o777);
    return ctx.dir;
  },
};
