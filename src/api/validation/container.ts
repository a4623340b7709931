// Container validation (upstream core validateContainers and helpers): names, images, ports, env,
// envFrom, volume mounts, probes, lifecycle handlers, resources and pull/termination policies.
import { fieldErrors, type FieldError } from '../errors.js';
import { arr, child, index, key, nonNegative, notFound, num, obj, oneOf, positive, str, type Obj } from './field.js';
import { isConfigMapKey, isDNS1123Label, isEnvVarName, isQualifiedName, isValidPortName, isValidPortNum } from './names.js';
import { parseQuantity, quantityText } from './quantity.js';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const ENV_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const RESOURCE_FIELD_REFS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** ValidatePortNumOrName: an int must be a port number, a string an IANA_SVC_NAME. */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldErrors.invalid(path, port, m));
  if (typeof port === 'string') {
    // Numeric strings are ints that arrived quoted (intstr accepts both forms on the wire).
    if (/^[0-9]+$/.test(port)) return isValidPortNum(Number(port)).map((m) => fieldErrors.invalid(path, Number(port), m));
    return isValidPortName(port).map((m) => fieldErrors.invalid(path, port, m));
  }
  return [fieldErrors.required(path, '')];
}

function validateContainerPorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(ports).forEach((p, i) => {
    const port = obj(p) ?? {};
    const ip = index(path, i);
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) for (const m of msgs) errs.push(fieldErrors.invalid(child(ip, 'name'), name, m));
      else if (names.has(name)) errs.push(fieldErrors.duplicate(child(ip, 'name'), name));
      else names.add(name);
    }
    const cp = num(port.containerPort) ?? 0;
    if (cp === 0) errs.push(fieldErrors.required(child(ip, 'containerPort'), ''));
    else for (const m of isValidPortNum(cp)) errs.push(fieldErrors.invalid(child(ip, 'containerPort'), cp, m));
    const hp = num(port.hostPort) ?? 0;
    if (hp !== 0) for (const m of isValidPortNum(hp)) errs.push(fieldErrors.invalid(child(ip, 'hostPort'), hp, m));
    errs.push(...oneOf(port.protocol, child(ip, 'protocol'), PROTOCOLS));
  });
  return errs;
}

function validateKeySelector(sel: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(sel.name)) errs.push(fieldErrors.required(child(path, 'name'), ''));
  const k = str(sel.key) ?? '';
  if (!k) errs.push(fieldErrors.required(child(path, 'key'), ''));
  else for (const m of isConfigMapKey(k)) errs.push(fieldErrors.invalid(child(path, 'key'), k, m));
  return errs;
}

/** ObjectFieldSelector: apiVersion/fieldPath required; fieldPath from the supported set or labels['x']/annotations['x']. */
export function validateFieldRef(ref: Obj, path: string, supported: readonly string[] = ENV_FIELD_PATHS): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(ref.apiVersion)) errs.push(fieldErrors.required(child(path, 'apiVersion'), ''));
  const fp = str(ref.fieldPath) ?? '';
  if (!fp) return [...errs, fieldErrors.required(child(path, 'fieldPath'), '')];
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fp);
  if (sub) {
    const msgs = sub[1] === 'metadata.labels' ? isQualifiedName(sub[2]!) : isQualifiedName(sub[2]!.toLowerCase());
    for (const m of msgs) errs.push(fieldErrors.invalid(child(path, 'fieldPath'), sub[2], m));
  } else if (!supported.includes(fp) || fp === 'metadata.labels' || fp === 'metadata.annotations') {
    errs.push(fieldErrors.notSupported(child(path, 'fieldPath'), fp, [...supported]));
  }
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(env).forEach((e, i) => {
    const ev = obj(e) ?? {};
    const ip = index(path, i);
    const name = str(ev.name) ?? '';
    if (!name) errs.push(fieldErrors.required(child(ip, 'name'), ''));
    else for (const m of isEnvVarName(name)) errs.push(fieldErrors.invalid(child(ip, 'name'), name, m));
    const vf = obj(ev.valueFrom);
    if (!vf) return;
    const vp = child(ip, 'valueFrom');
    let sources = 0;
    const fieldRef = obj(vf.fieldRef);
    if (fieldRef) { sources++; errs.push(...validateFieldRef(fieldRef, child(vp, 'fieldRef'))); }
    const rf = obj(vf.resourceFieldRef);
    if (rf) {
      sources++;
      const r = str(rf.resource) ?? '';
      if (!r) errs.push(fieldErrors.required(child(child(vp, 'resourceFieldRef'), 'resource'), ''));
      else if (!RESOURCE_FIELD_REFS.includes(r) && !/^(limits|requests)\.hugepages-/.test(r)) errs.push(fieldErrors.notSupported(child(child(vp, 'resourceFieldRef'), 'resource'), r, RESOURCE_FIELD_REFS));
    }
    const cm = obj(vf.configMapKeyRef);
    if (cm) { sources++; errs.push(...validateKeySelector(cm, child(vp, 'configMapKeyRef'))); }
    const sec = obj(vf.secretKeyRef);
    if (sec) { sources++; errs.push(...validateKeySelector(sec, child(vp, 'secretKeyRef'))); }
    if (sources === 0) errs.push(fieldErrors.invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (str(ev.value)) errs.push(fieldErrors.invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(fieldErrors.invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(envFrom).forEach((e, i) => {
    const ev = obj(e) ?? {};
    const ip = index(path, i);
    const prefix = str(ev.prefix);
    if (prefix) for (const m of isEnvVarName(prefix)) errs.push(fieldErrors.invalid(child(ip, 'prefix'), prefix, m));
    const refs = ['configMapRef', 'secretRef'].filter((k) => obj(ev[k]));
    for (const r of refs) if (!str(obj(ev[r])!.name)) errs.push(fieldErrors.required(child(child(ip, r), 'name'), ''));
    if (refs.length === 0) errs.push(fieldErrors.invalid(ip, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (refs.length > 1) errs.push(fieldErrors.invalid(ip, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, path: string, volumes: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(mounts).forEach((mm, i) => {
    const m = obj(mm) ?? {};
    const ip = index(path, i);
    const name = str(m.name) ?? '';
    if (!name) errs.push(fieldErrors.required(child(ip, 'name'), ''));
    if (!volumes.has(name)) errs.push(notFound(child(ip, 'name'), name));
    const mp = str(m.mountPath) ?? '';
    if (!mp) errs.push(fieldErrors.required(child(ip, 'mountPath'), ''));
    if (seen.has(mp)) errs.push(fieldErrors.invalid(child(ip, 'mountPath'), mp, 'must be unique'));
    seen.add(mp);
    const sub = str(m.subPath);
    if (sub && (sub.startsWith('/') || sub.split('/').includes('..'))) {
      errs.push(fieldErrors.invalid(child(ip, 'subPath'), sub, sub.startsWith('/') ? 'must be a relative path' : "must not contain '..'"));
    }
  });
  return errs;
}

/** A probe or lifecycle handler: exactly one of exec/httpGet/tcpSocket/grpc (sleep for lifecycle). */
function validateHandler(h: Obj, path: string, allowed: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of allowed) {
    const v = obj(h[kind]);
    if (!v) continue;
    if (count++ > 0) { errs.push(fieldErrors.forbidden(child(path, kind), 'may not specify more than 1 handler type')); continue; }
    const p = child(path, kind);
    if (kind === 'exec' && arr(v.command).length === 0) errs.push(fieldErrors.required(child(p, 'command'), ''));
    if (kind === 'httpGet') {
      if (!str(v.path)) errs.push(fieldErrors.required(child(p, 'path'), ''));
      errs.push(...validatePortNumOrName(v.port, child(p, 'port')));
      errs.push(...oneOf(v.scheme, child(p, 'scheme'), ['HTTP', 'HTTPS'], false));
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(v.port, child(p, 'port')));
    if (kind === 'grpc') { const port = num(v.port) ?? 0; for (const m of isValidPortNum(port)) errs.push(fieldErrors.invalid(child(p, 'port'), port, m)); }
    if (kind === 'sleep') errs.push(...nonNegative(v.seconds, child(p, 'seconds')));
  }
  if (count === 0) errs.push(fieldErrors.required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Obj, path: string): FieldError[] {
  const errs = validateHandler(probe, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) errs.push(...nonNegative(probe[f], child(path, f)));
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds !== null) errs.push(...positive(probe.terminationGracePeriodSeconds, child(path, 'terminationGracePeriodSeconds')));
  return errs;
}

function validateResourceName(name: string, path: string): FieldError[] {
  if (!name.includes('/')) {
    if (STANDARD_CONTAINER_RESOURCES.has(name) || name.startsWith('hugepages-')) return [];
    return [fieldErrors.invalid(path, name, 'must be a standard resource for containers')];
  }
  const msgs = isQualifiedName(name);
  if (msgs.length) return msgs.map((m) => fieldErrors.invalid(path, name, m));
  if (name.startsWith('requests.')) return [fieldErrors.invalid(path, name, "doesn't follow extended resource name standard")];
  return [];
}

/** ValidateResourceRequirements: names, non-negative values, requests ≤ limits (= for extended resources). */
export function validateResources(res: Obj | undefined, path: string): FieldError[] {
  if (!res) return [];
  const errs: FieldError[] = [];
  const limits = obj(res.limits) ?? {};
  const requests = obj(res.requests) ?? {};
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  for (const [name, q] of Object.entries(limits)) {
    errs.push(...validateResourceName(name, key(limPath, name)));
    const v = parseQuantity(q);
    if (v !== undefined && v < 0) errs.push(fieldErrors.invalid(key(limPath, name), quantityText(q), 'must be greater than or equal to 0'));
  }
  for (const [name, q] of Object.entries(requests)) {
    errs.push(...validateResourceName(name, key(reqPath, name)));
    const v = parseQuantity(q);
    if (v !== undefined && v < 0) errs.push(fieldErrors.invalid(key(reqPath, name), quantityText(q), 'must be greater than or equal to 0'));
    const overcommit = !name.includes('/') && !name.startsWith('hugepages-');
    if (name in limits) {
      const l = parseQuantity(limits[name]);
      if (v === undefined || l === undefined) continue;
      if (!overcommit && v !== l) errs.push(fieldErrors.invalid(reqPath, quantityText(q), `must be equal to ${name} limit of ${quantityText(limits[name])}`));
      else if (v > l) errs.push(fieldErrors.invalid(reqPath, quantityText(q), `must be less than or equal to ${name} limit of ${quantityText(limits[name])}`));
    } else if (!overcommit) {
      errs.push(fieldErrors.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

export type ContainerKind = 'container' | 'init' | 'ephemeral';

/**
 * Validates one list of containers. `names` is shared across containers and initContainers so that
 * a name used twice anywhere in the pod is reported as a duplicate.
 */
export function validateContainerList(list: unknown, path: string, volumes: ReadonlySet<string>, names: Set<string>, kind: ContainerKind): FieldError[] {
  const errs: FieldError[] = [];
  arr(list).forEach((c, i) => {
    const ctr = obj(c) ?? {};
    const ip = index(path, i);
    const name = str(ctr.name) ?? '';
    if (!name) errs.push(fieldErrors.required(child(ip, 'name'), ''));
    else {
      for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(child(ip, 'name'), name, m));
      if (names.has(name)) errs.push(fieldErrors.duplicate(child(ip, 'name'), name));
      names.add(name);
    }
    const image = str(ctr.image) ?? '';
    if (!image) errs.push(fieldErrors.required(child(ip, 'image'), ''));
    else if (image.trim() !== image) errs.push(fieldErrors.invalid(child(ip, 'image'), image, 'must not have leading or trailing whitespace'));
    errs.push(...oneOf(ctr.imagePullPolicy, child(ip, 'imagePullPolicy'), PULL_POLICIES));
    errs.push(...oneOf(ctr.terminationMessagePolicy, child(ip, 'terminationMessagePolicy'), TERMINATION_MESSAGE_POLICIES));
    errs.push(...validateContainerPorts(ctr.ports, child(ip, 'ports')));
    errs.push(...validateEnv(ctr.env, child(ip, 'env')));
    errs.push(...validateEnvFrom(ctr.envFrom, child(ip, 'envFrom')));
    errs.push(...validateVolumeMounts(ctr.volumeMounts, child(ip, 'volumeMounts'), volumes));
    errs.push(...validateResources(obj(ctr.resources), child(ip, 'resources')));

    const restart = ctr.restartPolicy;
    const sidecar = kind === 'init' && restart === 'Always';
    if (restart !== undefined && restart !== null) {
      if (kind === 'init') errs.push(...oneOf(restart, child(ip, 'restartPolicy'), ['Always']));
      else errs.push(fieldErrors.forbidden(child(ip, 'restartPolicy'), 'may not be set for non-init containers'));
    }
    for (const probeName of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const probe = obj(ctr[probeName]);
      if (!probe) continue;
      if (kind === 'init' && !sidecar) { errs.push(fieldErrors.forbidden(child(ip, probeName), 'may not be set for init containers without restartPolicy=Always')); continue; }
      if (kind === 'ephemeral') { errs.push(fieldErrors.forbidden(child(ip, probeName), 'cannot be set for an Ephemeral Container')); continue; }
      errs.push(...validateProbe(probe, child(ip, probeName)));
      if (probeName !== 'readinessProbe' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
        errs.push(fieldErrors.invalid(child(child(ip, probeName), 'successThreshold'), probe.successThreshold, 'must be 1'));
      }
    }
    const lifecycle = obj(ctr.lifecycle);
    if (lifecycle) {
      if (kind === 'init' && !sidecar) errs.push(fieldErrors.forbidden(child(ip, 'lifecycle'), 'may not be set for init containers without restartPolicy=Always'));
      else for (const hook of ['postStart', 'preStop']) {
        const h = obj(lifecycle[hook]);
        if (h) errs.push(...validateHandler(h, child(child(ip, 'lifecycle'), hook), ['exec', 'httpGet', 'tcpSocket', 'sleep']));
      }
    }
  });
  return errs;
}
