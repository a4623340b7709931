// projected volumes: configMap, secret, downwardAPI and serviceAccountToken sources merged into one
// directory, written atomically (on tmpfs, as upstream, so tokens and secrets stay off disk).
import type { Payload } from './atomic-writer.js';
import { writeAtomic } from './atomic-writer.js';
import { projectDownward, type DownwardItem } from './downward-api.js';
import { DEFAULT_MODE, fetchData, notFoundMessage, project, type KeyToPath } from './key-to-path.js';
import { memoryBacked } from './memory-backed.js';
import { fsGroupOf, type SetUpContext, type VolumePlugin } from './types.js';

interface Source {
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardItem[] };
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
  clusterTrustBundle?: unknown;
}

export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

export const projectedPlugin: VolumePlugin = {
  dirName: 'kubernetes.io~projected',
  source: 'projected',
  refreshable: true,
  alwaysReadOnly: true,
  async setUp(ctx: SetUpContext): Promise<string> {
    const spec = ctx.volume.projected as { sources?: Source[]; defaultMode?: number };
    const mode = spec.defaultMode ?? DEFAULT_MODE;
    const ns = ctx.pod.metadata.namespace!;
    const payload: Payload = new Map();
    for (const s of spec.sources ?? []) {
      if (s.configMap) {
        const data = await fetchData(ctx.client, 'configmap', ns, s.configMap.name ?? '');
        if (data) project(payload, 'configmap', data, s.configMap.items, mode, s.configMap.optional ?? false);
        else if (!s.configMap.optional) throw new Error(notFoundMessage('configmap', s.configMap.name ?? ''));
      } else if (s.secret) {
        const data = await fetchData(ctx.client, 'secret', ns, s.secret.name ?? '');
        if (data) project(payload, 'secret', data, s.secret.items, mode, s.secret.optional ?? false);
        else if (!s.secret.optional) throw new Error(notFoundMessage('secret', s.secret.name ?? ''));
      } else if (s.downwardAPI) {
        await projectDownward(payload, ctx.pod, s.downwardAPI.items ?? [], mode, ctx.nodeAllocatable);
      } else if (s.serviceAccountToken) {
        const t = s.serviceAccountToken;
        const token = await ctx.tokens.token(ctx.pod, t.audience ?? '', t.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS);
        // Upstream writes the token 0600 unless fsGroup asks for group access (then 0640).
        payload.set(t.path, { data: Buffer.from(token), mode: fsGroupOf(ctx.pod) !== undefined ? 0o600 : mode });
      } else if (s.clusterTrustBundle) {
        throw new Error('clusterTrustBundle projections are not supported');
      }
    }
    await memoryBacked(ctx.dir, ctx.log);
    await writeAtomic(ctx.dir, payload, { fsGroup: fsGroupOf(ctx.pod) });
    return ctx.dir;
  },
};
