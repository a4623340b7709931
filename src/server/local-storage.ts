// k3s's local-storage add-on, created at bootstrap unless `--disable local-storage`: the default
// StorageClass `local-path` (rancher.io/local-path, WaitForFirstConsumer, reclaim Delete) and the
// provisioner's `local-path-config` ConfigMap naming the nodes' storage directory. Idempotent;
// a class or config an administrator changed is left as it is.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Store } from '../apiserver/registry/store.js';
import { LOCAL_PATH_CONFIG, LOCAL_PATH_PROVISIONER, localPathConfigJson } from '../controllers/local-path-provisioner.js';

const SYSTEM = { name: 'system:apiserver', groups: ['system:masters'] };

export async function bootstrapLocalStorage(stores: Map<string, Store>, storageDir: string): Promise<string[]> {
  const created: string[] = [];
  const ensure = async (key: string, ns: string, obj: KObject) => {
    const store = stores.get(key)!;
    if (await store.tryGet(ns, obj.metadata.name!)) return;
    try {
      await store.create(ns, obj, { user: SYSTEM, dryRun: false, warnings: [] });
      created.push(`${store.info.resource}/${obj.metadata.name}`);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  };
  await ensure('storage.k8s.io/storageclasses', '', localPathStorageClass());
  await ensure('/configmaps', 'kube-system', localPathConfigMap(storageDir));
  return created;
}

export function localPathStorageClass(): KObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

export function localPathConfigMap(storageDir: string): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: LOCAL_PATH_CONFIG, namespace: 'kube-system' }, data: { 'config.json': localPathConfigJson(storageDir) } };
}
