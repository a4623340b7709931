// A small, self-contained copy of the Deployment/Pod schema shapes (with upstream's patch strategies
// and merge keys) for the patch and structure tests, so they do not depend on the real registry.
import type { StructDef } from '../schema/dsl.js';
import { any, bool, f, int32, int64, intOrString, list, map, mapList, quantity, ref, setList, str, struct, time } from '../schema/dsl.js';

const M = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const C = 'io.k8s.api.core.v1.';
const A = 'io.k8s.api.apps.v1.';

export const fixtureDefs: StructDef[] = [
  struct(`${M}ObjectMeta`, {
    name: str(), namespace: str(), uid: str(), resourceVersion: str(), generation: int64(),
    creationTimestamp: time(), labels: map(), annotations: map(), finalizers: setList(),
    ownerReferences: mapList(ref(`${M}OwnerReference`), 'uid'),
  }),
  struct(`${M}OwnerReference`, { apiVersion: str(), kind: str(), name: str(), uid: str(), controller: bool() }),
  struct(`${M}LabelSelector`, { matchLabels: map() }),
  struct(`${A}Deployment`, {
    apiVersion: str(), kind: str(), metadata: ref(`${M}ObjectMeta`), spec: ref(`${A}DeploymentSpec`), status: ref(`${A}DeploymentStatus`),
  }, { gvk: [{ group: 'apps', version: 'v1', kind: 'Deployment' }] }),
  struct(`${A}DeploymentSpec`, {
    replicas: int32(), selector: ref(`${M}LabelSelector`), template: ref(`${C}PodTemplateSpec`),
    strategy: f(ref(`${A}DeploymentStrategy`), undefined, 'retainKeys'), paused: bool(), minReadySeconds: int32(),
  }),
  struct(`${A}DeploymentStatus`, { replicas: int32(), observedGeneration: int64() }),
  struct(`${A}DeploymentStrategy`, { type: str(), rollingUpdate: ref(`${A}RollingUpdateDeployment`) }, { patchStrategy: 'retainKeys' }),
  struct(`${A}RollingUpdateDeployment`, { maxSurge: intOrString(), maxUnavailable: intOrString() }),
  struct(`${C}PodTemplateSpec`, { metadata: ref(`${M}ObjectMeta`), spec: ref(`${C}PodSpec`) }),
  struct(`${C}PodSpec`, {
    containers: mapList(ref(`${C}Container`), 'name'), initContainers: mapList(ref(`${C}Container`), 'name'),
    volumes: mapList(ref(`${C}Volume`), 'name', { retainKeys: true }), nodeSelector: map(),
    tolerations: list(ref(`${C}Toleration`)), imagePullSecrets: mapList(ref(`${C}LocalObjectReference`), 'name'),
    terminationGracePeriodSeconds: int64(), hostNetwork: bool(),
  }),
  struct(`${C}Container`, {
    name: str(), image: str(), command: list(str()), args: list(str()), imagePullPolicy: str(),
    env: mapList(ref(`${C}EnvVar`), 'name'),
    ports: mapList(ref(`${C}ContainerPort`), 'containerPort', { mapKeys: ['containerPort', 'protocol'] }),
    resources: ref(`${C}ResourceRequirements`), volumeMounts: mapList(ref(`${C}VolumeMount`), 'mountPath'),
  }, { required: ['name'] }),
  struct(`${C}EnvVar`, { name: str(), value: str(), valueFrom: any() }),
  struct(`${C}ContainerPort`, { containerPort: int32(), protocol: str(), name: str(), hostPort: int32() }),
  struct(`${C}ResourceRequirements`, { limits: map(quantity()), requests: map(quantity()) }),
  struct(`${C}VolumeMount`, { name: str(), mountPath: str(), readOnly: bool() }),
  struct(`${C}Volume`, {
    name: str(), configMap: ref(`${C}ConfigMapVolumeSource`), emptyDir: ref(`${C}EmptyDirVolumeSource`), secret: ref(`${C}SecretVolumeSource`),
  }, { patchStrategy: 'retainKeys' }),
  struct(`${C}ConfigMapVolumeSource`, { name: str(), defaultMode: int32() }),
  struct(`${C}EmptyDirVolumeSource`, { medium: str(), sizeLimit: quantity() }),
  struct(`${C}SecretVolumeSource`, { secretName: str() }),
  struct(`${C}Toleration`, { key: str(), operator: str(), value: str(), effect: str() }),
  struct(`${C}LocalObjectReference`, { name: str() }),
];

const byName = new Map(fixtureDefs.map((d) => [d.name, d]));

export const DEPLOYMENT = `${A}Deployment`;

export function fixtureResolve(name: string): StructDef {
  const d = byName.get(name);
  if (!d) throw new Error(`fixture schema: unknown definition ${name}`);
  return d;
}
