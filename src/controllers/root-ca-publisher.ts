// The root CA certificate publisher (upstream pkg/controller/certificates/rootcacertpublisher): every
// active namespace has a `kube-root-ca.crt` ConfigMap whose `ca.crt` is the CA that serves the API,
// so pods can verify it (the kube-api-access volume projects it). Recreated when deleted and
// restored when edited. Keys are namespace names.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';
import { Informer } from '../client/informer.js';
import { Controller } from '../client/controller.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { waitForCacheSync } from './util/sync.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export const rootCaPublisherController: ControllerDef = {
  name: 'root-ca-cert-publisher',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client } = ctx;
    const caPem = ctx.config.rootCaPem;
    if (!caPem) {
      ctx.log.warn('root-ca-cert-publisher: no root CA configured; kube-root-ca.crt is not published');
      return;
    }
    const namespaces = ctx.informers.informer('', 'v1', 'namespaces');
    // Only the one ConfigMap per namespace is watched, not every ConfigMap in the cluster.
    const maps = new Informer<KObject>(client, { group: '', version: 'v1', resource: 'configmaps', fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}`, resyncMs: 0, onError: (m) => ctx.log.debug(m) });
    const controller = new Controller({ name: 'root-ca-cert-publisher', log: ctx.log, workers: 2 }, async (name) => {
      const ns = namespaces.get('', name);
      if (!ns || ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
      const cur = maps.get(name, ROOT_CA_CONFIGMAP);
      const data = { 'ca.crt': caPem };
      try {
        if (!cur) {
          await client.create(resourcePath('', 'v1', 'configmaps', name), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace: name, annotations: { 'kubernetes.io/description': DESCRIPTION } }, data });
        } else if (JSON.stringify(cur.data ?? {}) !== JSON.stringify(data) || cur.binaryData) {
          await client.update(resourcePath('', 'v1', 'configmaps', name, ROOT_CA_CONFIGMAP), { ...cur, data, binaryData: undefined });
        }
      } catch (e) {
        if (e instanceof StatusError && (e.code === 409 || (e.code === 403 && e.message.includes('being terminated')))) return;
        throw e;
      }
    });
    namespaces.addHandler({ onAdd: (o) => controller.enqueue(o.metadata.name!), onUpdate: (_o, o) => controller.enqueue(o.metadata.name!) });
    maps.addHandler({ onUpdate: (_o, o) => controller.enqueue(o.metadata.namespace!), onDelete: (o) => controller.enqueue(o.metadata.namespace!) });
    const running = maps.run(signal);
    if (!(await waitForCacheSync([namespaces, maps], signal))) return;
    await Promise.all([controller.run(signal), running]);
  },
};
