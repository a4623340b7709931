// persistentVolumeClaim volumes: the bound PV's hostPath or local path (what local-path
// provisioning creates). Other PV sources need attach/mount plugins kts does not have.
import { StatusError } from '../../api/errors.js';
import type { KObject } from '../../api/types.js';
import { checkHostPath } from './host-path.js';
import type { SetUpContext, VolumePlugin } from './types.js';

export const persistentVolumeClaimPlugin: VolumePlugin = {
  dirName: 'kubernetes.io~pvc',
  source: 'persistentVolumeClaim',
  refreshable: false,
  alwaysReadOnly: false,
  async setUp(ctx: SetUpContext): Promise<string> {
    const src = ctx.volume.persistentVolumeClaim as { claimName: string };
    const ns = ctx.pod.metadata.namespace!;
    const get = async (path: string, what: string): Promise<KObject> => {
      try {
        return await ctx.client.get(path);
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) throw new Error(`error processing PVC ${ns}/${src.claimName}: ${what} not found`, { cause: e });
        throw e;
      }
    };
    const pvc = await get(`/api/v1/namespaces/${encodeURIComponent(ns)}/persistentvolumeclaims/${encodeURIComponent(src.claimName)}`, `persistentvolumeclaim "${src.claimName}"`);
    const volumeName = (pvc.spec as { volumeName?: string } | undefined)?.volumeName;
    if (!volumeName || (pvc.status as { phase?: string } | undefined)?.phase !== 'Bound') {
      throw new Error(`error processing PVC ${ns}/${src.claimName}: PVC is not bound`);
    }
    const pv = await get(`/api/v1/persistentvolumes/${encodeURIComponent(volumeName)}`, `persistentvolume "${volumeName}"`);
    const spec = (pv.spec ?? {}) as { hostPath?: { path: string; type?: string }; local?: { path: string } };
    if (spec.hostPath) {
      await checkHostPath(spec.hostPath.path, spec.hostPath.type ?? '');
      return spec.hostPath.path;
    }
    if (spec.local) {
      await checkHostPath(spec.local.path, 'Directory');
      return spec.local.path;
    }
    throw new Error(`persistentvolume "${volumeName}": only hostPath and local volume sources are supported on this node`);
  },
};
