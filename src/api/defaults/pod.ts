// Pod and PodSpec defaults (upstream pkg/apis/core/v1/defaults.go, v1.32): policies, scheduler,
// grace period, container pull policy and termination message, ports, probes, env field refs,
// and volume source defaults. PodSpec defaults also apply to every pod template.
import { child, ensure, isUnset, items, setDefault, setDefaultString, type Obj } from './util.js';

const DEFAULT_FILE_MODE = 0o644; // 420

/** The image's tag as upstream's parsers.ParseImageName sees it: "latest" when neither tag nor digest. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function defaultHandler(h: Obj | undefined): void {
  const http = child(h, 'httpGet');
  if (http) {
    setDefaultString(http, 'path', '/');
    setDefaultString(http, 'scheme', 'HTTP');
  }
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  defaultHandler(p);
}

function defaultContainer(c: Obj): void {
  if (isUnset(c.imagePullPolicy) || c.imagePullPolicy === '') {
    c.imagePullPolicy = imageTag(typeof c.image === 'string' ? c.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  }
  setDefaultString(c, 'terminationMessagePath', '/dev/termination-log');
  setDefaultString(c, 'terminationMessagePolicy', 'File');
  for (const port of items(c, 'ports')) setDefaultString(port, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(child(c, probe));
  const lifecycle = child(c, 'lifecycle');
  defaultHandler(child(lifecycle, 'postStart'));
  defaultHandler(child(lifecycle, 'preStop'));
  for (const env of items(c, 'env')) {
    const fieldRef = child(child(env, 'valueFrom'), 'fieldRef');
    if (fieldRef) setDefaultString(fieldRef, 'apiVersion', 'v1');
  }
}

const VOLUME_SOURCE_KEYS = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs', 'persistentVolumeClaim',
  'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

function defaultDownwardItems(source: Obj | undefined): void {
  for (const item of items(source, 'items')) {
    const fieldRef = child(item, 'fieldRef');
    if (fieldRef) setDefaultString(fieldRef, 'apiVersion', 'v1');
  }
}

function defaultVolume(v: Obj): void {
  if (!VOLUME_SOURCE_KEYS.some((k) => !isUnset(v[k]))) v.emptyDir = {};
  const hostPath = child(v, 'hostPath');
  if (hostPath) setDefault(hostPath, 'type', '');
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = child(v, k);
    if (src) setDefault(src, 'defaultMode', DEFAULT_FILE_MODE);
  }
  defaultDownwardItems(child(v, 'downwardAPI'));
  for (const source of items(child(v, 'projected'), 'sources')) {
    const token = child(source, 'serviceAccountToken');
    if (token) setDefault(token, 'expirationSeconds', 3600);
    defaultDownwardItems(child(source, 'downwardAPI'));
  }
  const claim = child(child(child(v, 'ephemeral'), 'volumeClaimTemplate'), 'spec');
  if (claim) setDefault(claim, 'volumeMode', 'Filesystem');
}

/** SetDefaults_PodSpec and the defaults of everything nested in it. */
export function defaultPodSpec(spec: Obj): void {
  setDefaultString(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultString(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefaultString(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) for (const c of items(spec, list)) defaultContainer(c);
  for (const v of items(spec, 'volumes')) defaultVolume(v);
}

/** Defaults for a PodTemplateSpec (the template of a workload or a PodTemplate object). */
export function defaultPodTemplate(template: Obj | undefined): void {
  if (template) defaultPodSpec(ensure(template, 'spec'));
}

/** Requests default to limits for any resource that has a limit but no request (pods only). */
function defaultRequestsFromLimits(c: Obj): void {
  const resources = child(c, 'resources');
  const limits = child(resources, 'limits');
  if (!resources || !limits) return;
  const requests = ensure(resources, 'requests');
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
}

/** SetDefaults_Pod: the pod-only defaults, then the PodSpec defaults. */
export function defaultPod(pod: Obj): void {
  const spec = ensure(pod, 'spec');
  for (const list of ['containers', 'initContainers']) for (const c of items(spec, list)) defaultRequestsFromLimits(c);
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const list of ['containers', 'initContainers']) {
      for (const c of items(spec, list)) for (const port of items(c, 'ports')) if (isUnset(port.hostPort) || port.hostPort === 0) port.hostPort = port.containerPort;
    }
  }
  defaultPodSpec(spec);
}
