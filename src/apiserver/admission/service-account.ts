// ServiceAccount admission (upstream plugin/pkg/admission/serviceaccount): a pod created without
// spec.serviceAccountName runs as "default"; a named account must exist; and unless the pod or its
// account opts out (automountServiceAccountToken: false), every container and init container gets
// the `kube-api-access-<5 random>` projected volume — a bound token (3607 s), the cluster CA from
// the kube-root-ca.crt ConfigMap and the namespace — at /var/run/secrets/kubernetes.io/serviceaccount.
import type { AdmissionRequest, Stores } from './types.js';
import { admissionForbidden, podSpec, storeFor } from './types.js';
import { randomInt } from 'node:crypto';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const API_ACCESS_VOLUME_PREFIX = 'kube-api-access-';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** Upstream's rand.String alphabet (no vowels, no confusable digits). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

interface Mountable {
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

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
  const sa = await storeFor(stores, '', 'serviceaccounts').getCached(req.namespace, spec.serviceAccountName);
  // The serviceaccount controller creates "default" shortly after a namespace appears; upstream
  // retries the look-up for a while, kts simply admits the pod (the account is on its way).
  if (!sa && spec.serviceAccountName !== DEFAULT_SERVICE_ACCOUNT) {
    throw admissionForbidden(req, `error looking up service account ${req.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`);
  }
  const podSetting = (spec as { automountServiceAccountToken?: boolean }).automountServiceAccountToken;
  const automount = podSetting ?? (sa?.automountServiceAccountToken as boolean | undefined) ?? true;
  if (automount) mountApiAccess(spec as unknown as { volumes?: { name: string }[]; containers?: Mountable[]; initContainers?: Mountable[] });
}

function mountApiAccess(spec: { volumes?: { name: string }[]; containers?: Mountable[]; initContainers?: Mountable[] }): void {
  const volumes = spec.volumes ?? [];
  const existing = volumes.find((v) => v.name.startsWith(API_ACCESS_VOLUME_PREFIX));
  const names = new Set(volumes.map((v) => v.name));
  let name = existing?.name;
  while (!name || (!existing && names.has(name))) name = API_ACCESS_VOLUME_PREFIX + randomString(5);
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    // A container that mounts something at the token path itself keeps it.
    if (c.volumeMounts?.some((m) => m.mountPath === API_TOKEN_MOUNT_PATH)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath: API_TOKEN_MOUNT_PATH }];
    needed = true;
  }
  if (!existing && needed) spec.volumes = [...volumes, apiAccessVolume(name)];
}

export function apiAccessVolume(name: string): { name: string; projected: object } {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 0o644,
    },
  };
}

function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return s;
}
