// HorizontalPodAutoscaler validation for both served forms (autoscaling/v2 and v1), after upstream
// pkg/apis/autoscaling/validation: replica bounds, scale target, metrics and behavior.
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { arr, child, index, num, obj, oneOf, str, type Obj } from './field.js';
import { validateObjectMeta } from './meta.js';
import { isValidPathSegmentName, nameIsDNSSubdomain } from './names.js';

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const TARGET_TYPES = ['AverageValue', 'Utilization', 'Value'];

function validateTargetRef(ref: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const kind = str(ref.kind) ?? '';
  if (!kind) errs.push(fieldErrors.required(child(path, 'kind'), ''));
  else for (const m of isValidPathSegmentName(kind)) errs.push(fieldErrors.invalid(child(path, 'kind'), kind, m));
  const name = str(ref.name) ?? '';
  if (!name) errs.push(fieldErrors.required(child(path, 'name'), ''));
  else for (const m of isValidPathSegmentName(name)) errs.push(fieldErrors.invalid(child(path, 'name'), name, m));
  return errs;
}

function validateMetricTarget(target: Obj | undefined, path: string): FieldError[] {
  if (!target) return [fieldErrors.required(path, 'must specify a metric target')];
  const errs = oneOf(target.type, child(path, 'type'), TARGET_TYPES);
  const util = num(target.averageUtilization);
  if (util !== undefined && util < 1) errs.push(fieldErrors.invalid(child(path, 'averageUtilization'), util, 'must be greater than 0'));
  if (target.type === 'Utilization' && util === undefined) errs.push(fieldErrors.required(child(path, 'averageUtilization'), 'must set averageUtilization when type is Utilization'));
  if (target.type === 'Value' && target.value === undefined) errs.push(fieldErrors.required(child(path, 'value'), 'must set value when type is Value'));
  if (target.type === 'AverageValue' && target.averageValue === undefined) errs.push(fieldErrors.required(child(path, 'averageValue'), 'must set averageValue when type is AverageValue'));
  return errs;
}

function validateMetrics(metrics: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(metrics).forEach((m, i) => {
    const metric = obj(m) ?? {};
    const mp = index(path, i);
    const typeErrs = oneOf(metric.type, child(mp, 'type'), METRIC_TYPES);
    errs.push(...typeErrs);
    if (typeErrs.length) return;
    const sourceField = { Resource: 'resource', ContainerResource: 'containerResource', Pods: 'pods', Object: 'object', External: 'external' }[String(metric.type)]!;
    const source = obj(metric[sourceField]);
    if (!source) { errs.push(fieldErrors.required(child(mp, sourceField), 'must populate information for the given metric source')); return; }
    const sp = child(mp, sourceField);
    if (sourceField === 'resource' || sourceField === 'containerResource') {
      if (!str(source.name)) errs.push(fieldErrors.required(child(sp, 'name'), 'must specify a resource name'));
      if (sourceField === 'containerResource' && !str(source.container)) errs.push(fieldErrors.required(child(sp, 'container'), 'must specify a container'));
    } else if (!str(obj(source.metric)?.name)) errs.push(fieldErrors.required(child(child(sp, 'metric'), 'name'), 'must specify a metric name'));
    if (sourceField === 'object') errs.push(...validateTargetRef(obj(source.describedObject) ?? {}, child(sp, 'describedObject')));
    errs.push(...validateMetricTarget(obj(source.target), child(sp, 'target')));
  });
  return errs;
}

function validateScalingRules(rules: Obj | undefined, path: string): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  if (rules.selectPolicy !== undefined && rules.selectPolicy !== null) errs.push(...oneOf(rules.selectPolicy, child(path, 'selectPolicy'), ['Disabled', 'Max', 'Min']));
  const window = num(rules.stabilizationWindowSeconds);
  if (window !== undefined && window < 0) errs.push(fieldErrors.invalid(child(path, 'stabilizationWindowSeconds'), window, 'must be greater than or equal to zero'));
  if (window !== undefined && window > 3600) errs.push(fieldErrors.invalid(child(path, 'stabilizationWindowSeconds'), window, 'must be less than or equal to 3600'));
  const policies = arr(rules.policies);
  if (policies.length === 0 && rules.selectPolicy !== 'Disabled') errs.push(fieldErrors.required(child(path, 'policies'), 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const policy = obj(p) ?? {};
    const pp = index(child(path, 'policies'), i);
    errs.push(...oneOf(policy.type, child(pp, 'type'), ['Percent', 'Pods']));
    const value = num(policy.value) ?? 0;
    if (value <= 0) errs.push(fieldErrors.invalid(child(pp, 'value'), value, 'must be greater than zero'));
    const period = num(policy.periodSeconds) ?? 0;
    if (period <= 0) errs.push(fieldErrors.invalid(child(pp, 'periodSeconds'), period, 'must be greater than zero'));
    if (period > 1800) errs.push(fieldErrors.invalid(child(pp, 'periodSeconds'), period, 'must be less than or equal to 1800'));
  });
  return errs;
}

/** `version` is the served form: 'v2' (metrics/behavior) or 'v1' (targetCPUUtilizationPercentage). */
export function validateHPA(hpa: KObject, version: 'v1' | 'v2'): FieldError[] {
  const spec = obj(hpa.spec) ?? {};
  const errs = validateObjectMeta(hpa.metadata, true, nameIsDNSSubdomain);
  const min = num(spec.minReplicas);
  const max = num(spec.maxReplicas) ?? 0;
  if (min !== undefined && min < 1) errs.push(fieldErrors.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(fieldErrors.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(fieldErrors.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  const refErrs = validateTargetRef(obj(spec.scaleTargetRef) ?? {}, 'spec.scaleTargetRef');
  if (refErrs.length) return [...errs, ...refErrs];
  if (version === 'v1') {
    const cpu = num(spec.targetCPUUtilizationPercentage);
    if (cpu !== undefined && cpu < 1) errs.push(fieldErrors.invalid('spec.targetCPUUtilizationPercentage', cpu, 'must be greater than 0'));
    return errs;
  }
  const metricErrs = validateMetrics(spec.metrics, 'spec.metrics');
  if (metricErrs.length) return [...errs, ...metricErrs];
  const behavior = obj(spec.behavior);
  if (behavior) errs.push(...validateScalingRules(obj(behavior.scaleUp), 'spec.behavior.scaleUp'), ...validateScalingRules(obj(behavior.scaleDown), 'spec.behavior.scaleDown'));
  return errs;
}

/** The apiVersion an HPA object is served in; defaults to the preferred v2. */
export function hpaVersion(o: KObject): 'v1' | 'v2' {
  return o.apiVersion === 'autoscaling/v1' ? 'v1' : 'v2';
}
