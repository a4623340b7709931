// What each node may read, as upstream's node authorizer graph in a flatter form: for every pod
// bound to a node, the secrets, config maps, persistent volume claims and service account it
// references (counted, since several pods can share one), and each claim's bound volume. Fed from
// the pods and persistentvolumeclaims stores through the watch cache.
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';

type Ref = string;

interface PodRefs { node: string; refs: Ref[]; ephemeral: number }

export class NodeGraph {
  private readonly pods = new Map<string, PodRefs>();
  private readonly byNode = new Map<string, Map<Ref, number>>();
  private readonly claimVolumes = new Map<string, string>();
  private readonly volumeClaims = new Map<string, Set<string>>();

  putPod(pod: KObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const spec = pod.spec as { nodeName?: string; ephemeralContainers?: unknown[] } | undefined;
    const node = spec?.nodeName;
    const ephemeral = spec?.ephemeralContainers?.length ?? 0;
    // A bound pod's node and references do not change (volumes and env are immutable); only
    // ephemeral containers can be added. Status updates, the bulk of pod events, stop here.
    const known = this.pods.get(key);
    if (known && known.node === node && known.ephemeral === ephemeral) return;
    this.removePodKey(key);
    if (!node) return;
    const refs = podRefs(pod);
    this.pods.set(key, { node, refs, ephemeral });
    let m = this.byNode.get(node);
    if (!m) this.byNode.set(node, (m = new Map()));
    for (const r of refs) m.set(r, (m.get(r) ?? 0) + 1);
  }

  removePod(namespace: string, name: string): void {
    this.removePodKey(`${namespace}/${name}`);
  }

  private removePodKey(key: string): void {
    const old = this.pods.get(key);
    if (!old) return;
    this.pods.delete(key);
    const m = this.byNode.get(old.node);
    if (!m) return;
    for (const r of old.refs) {
      const n = (m.get(r) ?? 0) - 1;
      if (n <= 0) m.delete(r);
      else m.set(r, n);
    }
    if (m.size === 0) this.byNode.delete(old.node);
  }

  putClaim(pvc: KObject): void {
    const key = `${pvc.metadata.namespace}/${pvc.metadata.name}`;
    this.removeClaim(pvc.metadata.namespace ?? '', pvc.metadata.name ?? '');
    const volume = (pvc.spec as { volumeName?: string } | undefined)?.volumeName;
    if (!volume) return;
    this.claimVolumes.set(key, volume);
    let s = this.volumeClaims.get(volume);
    if (!s) this.volumeClaims.set(volume, (s = new Set()));
    s.add(key);
  }

  removeClaim(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const v = this.claimVolumes.get(key);
    if (v === undefined) return;
    this.claimVolumes.delete(key);
    const s = this.volumeClaims.get(v);
    s?.delete(key);
    if (s && s.size === 0) this.volumeClaims.delete(v);
  }

  /** Whether a pod bound to `node` references the object (kind: secret, configmap, pvc, serviceaccount, pod). */
  related(node: string, kind: 'secret' | 'configmap' | 'pvc' | 'serviceaccount' | 'pod', namespace: string, name: string): boolean {
    return this.byNode.get(node)?.has(`${kind}/${namespace}/${name}`) ?? false;
  }

  /** Whether the persistent volume is bound to a claim a pod on `node` uses. */
  volumeRelated(node: string, volume: string): boolean {
    for (const claim of this.volumeClaims.get(volume) ?? []) {
      const i = claim.indexOf('/');
      if (this.related(node, 'pvc', claim.slice(0, i), claim.slice(i + 1))) return true;
    }
    return false;
  }
}

interface EnvSource { secretRef?: { name?: string }; configMapRef?: { name?: string } }
interface EnvVar { valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } } }
interface Container { env?: EnvVar[]; envFrom?: EnvSource[] }
interface Volume {
  name?: string;
  secret?: { secretName?: string };
  configMap?: { name?: string };
  persistentVolumeClaim?: { claimName?: string };
  ephemeral?: unknown;
  projected?: { sources?: { secret?: { name?: string }; configMap?: { name?: string } }[] };
  [other: string]: unknown;
}

/** The objects a pod references that its node needs to run it. */
export function podRefs(pod: KObject): Ref[] {
  const ns = pod.metadata.namespace ?? '';
  const spec = (isPlainObject(pod.spec) ? pod.spec : {}) as {
    serviceAccountName?: string; imagePullSecrets?: { name?: string }[]; volumes?: Volume[];
    containers?: Container[]; initContainers?: Container[]; ephemeralContainers?: Container[];
  };
  const out = new Set<Ref>([`pod/${ns}/${pod.metadata.name}`]);
  const add = (kind: string, name: string | undefined) => {
    if (name) out.add(`${kind}/${ns}/${name}`);
  };
  add('serviceaccount', spec.serviceAccountName || 'default');
  for (const s of spec.imagePullSecrets ?? []) add('secret', s?.name);
  for (const v of spec.volumes ?? []) {
    if (!v) continue;
    add('secret', v.secret?.secretName);
    add('configmap', v.configMap?.name);
    add('pvc', v.persistentVolumeClaim?.claimName);
    if (v.ephemeral) add('pvc', `${pod.metadata.name}-${v.name}`);
    for (const p of v.projected?.sources ?? []) {
      add('secret', p?.secret?.name);
      add('configmap', p?.configMap?.name);
    }
    // Volume plugins with a secretRef (cephfs, iscsi, …) reference a secret too.
    for (const src of Object.values(v)) {
      const ref = isPlainObject(src) ? (src as { secretRef?: { name?: string } }).secretRef : undefined;
      if (ref) add('secret', ref.name);
    }
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c?.env ?? []) {
      add('secret', e?.valueFrom?.secretKeyRef?.name);
      add('configmap', e?.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of c?.envFrom ?? []) {
      add('secret', e?.secretRef?.name);
      add('configmap', e?.configMapRef?.name);
    }
  }
  return [...out];
}
