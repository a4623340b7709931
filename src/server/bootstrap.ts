// Objects every cluster has from the start: the four system namespaces, the built-in
// PriorityClasses, and the `kubernetes` Service in default (its endpoints, every live API server,
// are apiserver-endpoints.ts's). Idempotent.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Store } from '../apiserver/registry/store.js';
import { SYSTEM_NAMESPACES } from '../apiserver/admission/namespace-lifecycle.js';
import { SYSTEM_PRIORITY_CLASSES } from '../api/validation/scheduling.js';

const SYSTEM = { name: 'system:apiserver', groups: ['system:masters'] };

export async function bootstrapCluster(stores: Map<string, Store>, opts: { port: number; serviceIp: string; clientCaPem?: string }): Promise<string[]> {
  const created: string[] = [];
  const ctx = () => ({ user: SYSTEM, dryRun: false, warnings: [] as string[] });
  const ensure = async (key: string, ns: string, obj: KObject) => {
    const store = stores.get(key)!;
    if (await store.tryGet(ns, obj.metadata.name!)) return;
    try {
      await store.create(ns, obj, ctx());
      created.push(`${store.info.resource}/${obj.metadata.name}`);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  };
  for (const ns of SYSTEM_NAMESPACES) {
    await ensure('/namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } });
  }
  // Upstream's apiserver creates these two at startup (pkg/registry/scheduling/rest).
  await ensure('scheduling.k8s.io/priorityclasses', '', {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-node-critical' },
    value: SYSTEM_PRIORITY_CLASSES['system-node-critical'],
    description: 'Used for system critical pods that must not be moved from their current node.',
  });
  await ensure('scheduling.k8s.io/priorityclasses', '', {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-cluster-critical' },
    value: SYSTEM_PRIORITY_CLASSES['system-cluster-critical'],
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  });
  await ensure('/services', 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: opts.serviceIp, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }], sessionAffinity: 'None' },
  });
  // As upstream: kubelets (and extension API servers) read the client CA that signs API clients here.
  if (opts.clientCaPem) await ensureClientCaConfigMap(stores.get('/configmaps')!, opts.clientCaPem, ctx());
  return created;
}

async function ensureClientCaConfigMap(store: Store, clientCaPem: string, ctx: { user: typeof SYSTEM; dryRun: boolean; warnings: string[] }): Promise<void> {
  const name = 'extension-apiserver-authentication';
  const cur = await store.tryGet('kube-system', name);
  const data = { 'client-ca-file': clientCaPem };
  if (!cur) await store.create('kube-system', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'kube-system' }, data }, ctx);
  else if ((cur.data as Record<string, string> | undefined)?.['client-ca-file'] !== clientCaPem) await store.update('kube-system', name, { ...cur, data: { ...(cur.data as object), ...data } }, ctx);
}
