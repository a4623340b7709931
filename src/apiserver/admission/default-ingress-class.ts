// DefaultIngressClass admission: an Ingress created with neither spec.ingressClassName nor the old
// kubernetes.io/ingress.class annotation gets the default IngressClass (annotation
// ingressclass.kubernetes.io/is-default-class=true), as upstream; with several defaults the
// newest wins (then the name), as upstream since v1.25. Updates are left alone.
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { AdmissionRequest, Stores } from './types.js';
import { listIn } from './types.js';

export function newestDefaultIngressClass(classes: readonly KObject[]): KObject | undefined {
  const defaults = classes.filter((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
  defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return defaults[0];
}

export async function admitDefaultIngressClass(req: AdmissionRequest, stores: Stores): Promise<void> {
  if (req.operation !== 'CREATE' || req.subresource) return;
  if (!isPlainObject(req.obj.spec)) req.obj.spec = {};
  const spec = req.obj.spec as { ingressClassName?: string | null };
  if ((spec.ingressClassName !== undefined && spec.ingressClassName !== null) || req.obj.metadata.annotations?.['kubernetes.io/ingress.class']) return;
  const cls = newestDefaultIngressClass(await listIn(stores, 'networking.k8s.io', 'ingressclasses', ''));
  if (cls) spec.ingressClassName = cls.metadata.name;
}
