// configMap volumes: the ConfigMap's keys (or the listed items) as files, written atomically.
import type { Payload } from './atomic-writer.js';
import { writeAtomic } from './atomic-writer.js';
import { DEFAULT_MODE, fetchData, notFoundMessage, project, type KeyToPath } from './key-to-path.js';
import { fsGroupOf, type SetUpContext, type VolumePlugin } from './types.js';

interface Source {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export const configMapPlugin: VolumePlugin = {
  dirName: 'kubernetes.io~configmap',
  source: 'configMap',
  refreshable: true,
  alwaysReadOnly: true,
  async setUp(ctx: SetUpContext): Promise<string> {
    const src = ctx.volume.configMap as Source;
    const payload: Payload = new Map();
    const data = await fetchData(ctx.client, 'configmap', ctx.pod.metadata.namespace!, src.name ?? '');
    if (!data) {
      if (!src.optional) throw new Error(notFoundMessage('configmap', src.name ?? ''));
    } else project(payload, 'configmap', data, src.items, src.defaultMode ?? DEFAULT_MODE, src.optional ?? false);
    await writeAtomic(ctx.dir, payload, { fsGroup: fsGroupOf(ctx.pod) });
    return ctx.dir;
  },
};
