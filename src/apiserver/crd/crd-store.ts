// The CustomResourceDefinition store's own rules, layered on the built-in hooks: defaulting and
// validation of the CRD (plus the generic ObjectMeta rules), and the cleanup finalizer that a
// delete adds so the CRD controller can remove every custom object before the CRD goes.
import { validateCreate, validateUpdate } from '../../api/validation/index.js';
import type { StoreHooks } from '../registry/store.js';
import { CRD_GROUP } from './types.js';
import { defaultCrd, validateCrd } from './validate-crd.js';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export function crdStoreHooks(base: StoreHooks): StoreHooks {
  return {
    ...base,
    validation: {
      prepare(obj, _old, sub) {
        if (sub !== 'status') defaultCrd(obj);
      },
      validate(obj, old, sub) {
        const all = old ? validateUpdate(CRD_GROUP, 'CustomResourceDefinition', obj, old) : validateCreate(CRD_GROUP, 'CustomResourceDefinition', obj);
        // Upstream lists the cleanup finalizer among the standard (unqualified) finalizer names.
        const meta = all.filter((e) => !(e.field.startsWith('metadata.finalizers') && e.message.includes(`"${CLEANUP_FINALIZER}"`)));
        return sub === 'status' ? meta : [...meta, ...validateCrd(obj, old)];
      },
    },
    async beforeDelete(obj, ctx) {
      await base.beforeDelete?.(obj, ctx);
      // As upstream's CRD REST delete: first add the finalizer, the controller finishes.
      const fin = (obj.metadata.finalizers ??= []);
      if (!fin.includes(CLEANUP_FINALIZER)) fin.push(CLEANUP_FINALIZER);
    },
  };
}
