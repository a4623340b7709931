// ServiceAccount admission, defaulting part (upstream plugin/pkg/admission/serviceaccount): a pod
// created without spec.serviceAccountName runs as "default"; a named account must exist. Token
// volumes are not mounted here yet.
import type { AdmissionRequest, Stores } from './types.js';
import { admissionForbidden, podSpec, storeFor } from './types.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export async function admitServiceAccount(req: AdmissionRequest, stores: Stores): Promise<void> {
  if (req.operation !== 'CREATE' || req.subresource) return;
  const pod = req.obj;
  const spec = podSpec(pod);
  // The deprecated alias is read when the real field is empty (v1 conversion does the same).
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  // Mirror pods are the kubelet's copies of static pods: never changed (upstream leaves them too).
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
  if (!spec.serviceAccountName) spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
  spec.serviceAccount = spec.serviceAccountName;
  // The serviceaccount controller creates "default" shortly after a namespace appears; upstream
  // retries the look-up for a while, kts simply admits the pod (the account is on its way).
  if (spec.serviceAccountName === DEFAULT_SERVICE_ACCOUNT) return;
  const sa = await storeFor(stores, '', 'serviceaccounts').tryGet(req.namespace, spec.serviceAccountName);
  if (!sa) {
    throw admissionForbidden(req, `error looking up service account ${req.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`);
  }
}
