// secret volumes: the Secret's keys (or the listed items) as files, written atomically on tmpfs.
import type { Payload } from './atomic-writer.js';
import { writeAtomic } from './atomic-writer.js';
import { memoryBacked } from './memory-backed.js';
import { DEFAULT_MODE, fetchData, notFoundMessage, project, type KeyToPath } from './key-to-path.js';
import { fsGroupOf, type SetUpContext, type VolumePlugin } from './types.js';

interface Source {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export const secretPlugin: VolumePlugin = {
  dirName: 'kubernetes.io~secret',
  source: 'secret',
  refreshable: true,
  alwaysReadOnly: true,
  async setUp(ctx: SetUpContext): Promise<string> {
    const src = ctx.volume.secret as Source;
    const payload: Payload = new Map();
    const data = await fetchData(ctx.client, 'secret', ctx.pod.metadata.namespace!, src.secretName ?? '');
    if (!data) {
      if (!src.optional) throw new Error(notFoundMessage('secret', src.secretName ?? ''));
    } else project(payload, 'secret', data, src.items, src.defaultMode ?? DEFAULT_MODE, src.optional ?? false);
    await memoryBacked(ctx.dir, ctx.log);
    await writeAtomic(ctx.dir, payload, { fsGroup: fsGroupOf(ctx.pod) });
    return ctx.dir;
  },
};
