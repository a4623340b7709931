// PodSpec, PodTemplateSpec and Pod validation (upstream ValidatePodSpec, ValidatePodTemplateSpec,
// ValidatePodCreate). Update rules live in pod-update.ts.
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { arr, child, inclusiveRange, index, invalidRaw, num, obj, oneOf, str, strMap, type Obj } from './field.js';
import { validateContainerList } from './container.js';
import { validateAnnotations, validateLabels, validateObjectMeta } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidIP, nameIsDNSSubdomain } from './names.js';
import { validateVolumes } from './volumes.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2147483647;

/** A core.Toleration as Go's %#v prints it (the bad value of the Exists-with-value error). */
function goToleration(t: Obj): string {
  const secs = num(t.tolerationSeconds);
  const q = (v: unknown): string => JSON.stringify(str(v) ?? '');
  return `core.Toleration{Key:${q(t.key)}, Operator:${q(t.operator)}, Value:${q(t.value)}, Effect:${q(t.effect)}, TolerationSeconds:${secs === undefined ? '(*int64)(nil)' : `${secs}`}}`;
}

/** upstream ValidateTolerations. */
export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(tolerations).forEach((t, i) => {
    const tol = obj(t) ?? {};
    const ip = index(path, i);
    const k = str(tol.key) ?? '';
    const op = str(tol.operator) ?? '';
    const value = str(tol.value) ?? '';
    const effect = str(tol.effect) ?? '';
    if (k) for (const m of isQualifiedName(k)) errs.push(fieldErrors.invalid(child(ip, 'key'), k, m));
    if (!k && op !== 'Exists') errs.push(fieldErrors.invalid(child(ip, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (tol.tolerationSeconds !== undefined && tol.tolerationSeconds !== null && effect !== 'NoExecute') {
      errs.push(fieldErrors.invalid(child(ip, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length) errs.push(fieldErrors.invalid(child(ip, 'operator'), value, msgs.join(';')));
    } else if (op === 'Exists') {
      if (value) errs.push(invalidRaw(child(ip, 'operator'), goToleration(tol), "value must be empty when `operator` is 'Exists'"));
    } else errs.push(fieldErrors.notSupported(child(ip, 'operator'), op, ['Equal', 'Exists']));
    if (effect) errs.push(...oneOf(effect, child(ip, 'effect'), TAINT_EFFECTS));
  });
  return errs;
}

function validateHostNetworkPorts(spec: Obj, path: string): FieldError[] {
  if (spec.hostNetwork !== true) return [];
  const errs: FieldError[] = [];
  for (const list of ['containers', 'initContainers']) {
    arr(spec[list]).forEach((c, i) => {
      arr(obj(c)?.ports).forEach((p, j) => {
        const port = obj(p) ?? {};
        const hp = num(port.hostPort);
        if (hp !== undefined && hp !== 0 && hp !== num(port.containerPort)) {
          errs.push(fieldErrors.invalid(child(index(child(index(child(path, list), i), 'ports'), j), 'hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      });
    });
  }
  return errs;
}

/** upstream ValidatePodSpec. */
export function validatePodSpec(specValue: unknown, path: string): FieldError[] {
  const spec = obj(specValue) ?? {};
  const { errs, names: volumeNames } = validateVolumes(spec.volumes, child(path, 'volumes'));
  const containerNames = new Set<string>();
  if (arr(spec.containers).length === 0) errs.push(fieldErrors.required(child(path, 'containers'), ''));
  errs.push(...validateContainerList(spec.containers, child(path, 'containers'), volumeNames, containerNames, 'container'));
  errs.push(...validateContainerList(spec.initContainers, child(path, 'initContainers'), volumeNames, containerNames, 'init'));
  errs.push(...validateContainerList(spec.ephemeralContainers, child(path, 'ephemeralContainers'), volumeNames, containerNames, 'ephemeral'));
  errs.push(...validateHostNetworkPorts(spec, path));
  errs.push(...oneOf(spec.restartPolicy, child(path, 'restartPolicy'), RESTART_POLICIES));
  errs.push(...oneOf(spec.dnsPolicy, child(path, 'dnsPolicy'), DNS_POLICIES));
  if (spec.dnsPolicy === 'None' && !obj(spec.dnsConfig)) {
    errs.push(fieldErrors.required(child(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  errs.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  for (const [f, check] of [['serviceAccountName', isDNS1123Subdomain], ['nodeName', isDNS1123Subdomain], ['priorityClassName', isDNS1123Subdomain], ['hostname', isDNS1123Label], ['subdomain', isDNS1123Label]] as const) {
    const v = str(spec[f]);
    if (v) for (const m of check(v)) errs.push(fieldErrors.invalid(child(path, f), v, m));
  }
  const ads = num(spec.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32)) errs.push(fieldErrors.invalid(child(path, 'activeDeadlineSeconds'), ads, inclusiveRange(1, MAX_INT32)));
  errs.push(...validateTolerations(spec.tolerations, child(path, 'tolerations')));
  arr(spec.imagePullSecrets).forEach((s, i) => {
    if (!str(obj(s)?.name)) errs.push(fieldErrors.required(child(index(child(path, 'imagePullSecrets'), i), 'name'), ''));
  });
  arr(spec.hostAliases).forEach((h, i) => {
    const ip = str(obj(h)?.ip) ?? '';
    for (const m of isValidIP(ip)) errs.push(fieldErrors.invalid(child(index(child(path, 'hostAliases'), i), 'ip'), ip, m));
  });
  arr(spec.schedulingGates).forEach((g, i) => {
    const n = str(obj(g)?.name) ?? '';
    for (const m of isQualifiedName(n)) errs.push(fieldErrors.invalid(child(index(child(path, 'schedulingGates'), i), 'name'), n, m));
  });
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null) errs.push(...oneOf(spec.preemptionPolicy, child(path, 'preemptionPolicy'), ['Never', 'PreemptLowerPriority']));
  return errs;
}

/** upstream ValidatePodTemplateSpec: template labels/annotations (paths without `metadata`) and the spec. */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  const t = obj(template) ?? {};
  const meta = obj(t.metadata) ?? {};
  const errs = [
    ...validateLabels(meta.labels, child(path, 'labels')),
    ...validateAnnotations(meta.annotations, child(path, 'annotations')),
    ...validatePodSpec(t.spec, child(path, 'spec')),
  ];
  if (arr(obj(t.spec)?.ephemeralContainers).length) errs.push(fieldErrors.forbidden(child(child(path, 'spec'), 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

export function templateLabels(template: unknown): Record<string, string> | undefined {
  return strMap(obj(obj(template)?.metadata)?.labels);
}

export function validatePod(pod: KObject): FieldError[] {
  const errs = [...validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain), ...validatePodSpec(pod.spec, 'spec')];
  if (arr(obj(pod.spec)?.ephemeralContainers).length) errs.push(fieldErrors.forbidden(child('spec', 'ephemeralContainers'), 'cannot be set on create'));
  return errs;
}

export function validatePodTemplate(pt: KObject): FieldError[] {
  return [...validateObjectMeta(pt.metadata, true, nameIsDNSSubdomain), ...validatePodTemplateSpec(pt.template, 'template')];
}

/** Light status checks: IPs must be IPs, restart counts non-negative. */
export function validatePodStatus(status: unknown): FieldError[] {
  const s = obj(status) ?? {};
  const errs: FieldError[] = [];
  arr(s.podIPs).forEach((p, i) => {
    const ip = str(obj(p)?.ip) ?? '';
    for (const m of isValidIP(ip)) errs.push(fieldErrors.invalid(child(index('status.podIPs', i), 'ip'), ip, m));
  });
  const nominated = str(s.nominatedNodeName);
  if (nominated) for (const m of isDNS1123Subdomain(nominated)) errs.push(fieldErrors.invalid('status.nominatedNodeName', nominated, m));
  for (const list of ['containerStatuses', 'initContainerStatuses']) {
    arr(s[list]).forEach((c, i) => {
      const rc = num(obj(c)?.restartCount);
      if (rc !== undefined && rc < 0) errs.push(fieldErrors.invalid(child(index(`status.${list}`, i), 'restartCount'), rc, 'must be greater than or equal to 0'));
    });
  }
  return errs;
}
