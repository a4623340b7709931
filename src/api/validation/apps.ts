// Replicated workloads: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision
// (upstream pkg/apis/apps/validation plus the selector-immutability rules of their registry
// strategies) and the core ReplicationController, which shares the same shape.
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { child, deepEqual, goLabelSelector, goStringMap, immutable, intOrStringText, invalidRaw, nonNegative, num, obj, strMap, type Obj } from './field.js';
import { selectorIsEmpty, selectorMatches, selectorOperatorsValid, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isValidPercent, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import { templateLabels, validatePodTemplateSpec } from './pod.js';
import { validatePVCSpec } from './storage-core.js';

const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/**
 * Selector required (except DaemonSet), valid, non-empty, and matching the template's labels. As
 * upstream, a missing selector selects nothing, so it is also reported as not matching the labels.
 */
function validateSelectorAndTemplate(spec: Obj, kindWord: string, requireSelector: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec.selector;
  const missing = sel === undefined || sel === null;
  if (missing) {
    if (requireSelector) errs.push(fieldErrors.required('spec.selector', ''));
  } else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (selectorIsEmpty(sel)) errs.push(invalidRaw('spec.selector', goLabelSelector(sel), `empty selector is invalid for ${kindWord}`));
  }
  if (!missing && !selectorOperatorsValid(sel)) {
    if (requireSelector) errs.push(invalidRaw('spec.selector', goLabelSelector(sel), 'invalid label selector'));
  } else if (missing || (!selectorIsEmpty(sel) && !selectorMatches(sel, templateLabels(spec.template)))) {
    errs.push(invalidRaw('spec.template.metadata.labels', goStringMap(templateLabels(spec.template)), SELECTOR_MISMATCH));
  }
  return errs;
}

/** Template must restart Always and may not carry activeDeadlineSeconds. */
function validateAlwaysRestartTemplate(spec: Obj, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const podSpec = obj(obj(spec.template)?.spec) ?? {};
  const rp = podSpec.restartPolicy;
  // An empty value was already reported as Required by the pod spec validation.
  if (rp !== 'Always' && rp !== undefined && rp !== '') errs.push(fieldErrors.notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(fieldErrors.forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalidRaw(path, v, m));
  if (typeof v === 'number') return nonNegative(v, path);
  return [];
}

/** getIntOrPercentValue: `25%` → 25, 3 → 3, `"3"` → 3. */
function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseInt(v.endsWith('%') ? v.slice(0, -1) : v, 10) || 0;
  return 0;
}

function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string' && v.endsWith('%') && isValidPercent(v).length === 0 && intOrPercentValue(v) > 100) {
    return [invalidRaw(path, v, 'must not be greater than 100%')];
  }
  return [];
}

function validateDeploymentStrategy(strategyValue: unknown): FieldError[] {
  const strategy = obj(strategyValue) ?? {};
  const path = 'spec.strategy';
  const ru = obj(strategy.rollingUpdate);
  if (strategy.type === 'Recreate') {
    return ru ? [fieldErrors.forbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (strategy.type === 'RollingUpdate') {
    if (!ru) return [fieldErrors.required(child(path, 'rollingUpdate'), 'this should be defaulted and never be nil')];
    const rp = child(path, 'rollingUpdate');
    const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable')), ...validatePositiveIntOrPercent(ru.maxSurge, child(rp, 'maxSurge'))];
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push(invalidRaw(child(rp, 'maxUnavailable'), intOrStringText(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
    }
    errs.push(...notMoreThan100Percent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
    return errs;
  }
  return [fieldErrors.notSupported(path, strategy.type ?? '', ['Recreate', 'RollingUpdate'])];
}

function specOf(o: KObject): Obj {
  return obj(o.spec) ?? {};
}

export function validateDeployment(d: KObject): FieldError[] {
  const spec = specOf(d);
  const errs = [...validateObjectMeta(d.metadata, true, nameIsDNSSubdomain), ...nonNegative(spec.replicas, 'spec.replicas')];
  errs.push(...validateSelectorAndTemplate(spec, 'deployment', true));
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'), ...validateAlwaysRestartTemplate(spec, 'ReplicaSet'));
  errs.push(...validateDeploymentStrategy(spec.strategy));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = num(spec.progressDeadlineSeconds);
  if (pds !== undefined) {
    errs.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (num(spec.minReadySeconds) ?? 0)) errs.push(fieldErrors.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateReplicaSet(rs: KObject): FieldError[] {
  const spec = specOf(rs);
  const errs = [...validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain), ...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  // Upstream says "deployment" here too.
  errs.push(...validateSelectorAndTemplate(spec, 'deployment', true));
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'), ...validateAlwaysRestartTemplate(spec, 'ReplicaSet'));
  return errs;
}

export function validateReplicationController(rc: KObject): FieldError[] {
  const spec = specOf(rc);
  const errs = [...validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain), ...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  const selector = strMap(spec.selector) ?? {};
  if (Object.keys(selector).length === 0) errs.push(fieldErrors.required('spec.selector', ''));
  if (!obj(spec.template)) return [...errs, fieldErrors.required('spec.template', '')];
  const labels = templateLabels(spec.template);
  if (Object.keys(selector).length && !selectorMatches({ matchLabels: selector }, labels)) {
    errs.push(invalidRaw('spec.template.metadata.labels', goStringMap(labels), SELECTOR_MISMATCH));
  }
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'), ...validateAlwaysRestartTemplate(spec, 'ReplicationController'));
  return errs;
}

export function validateStatefulSet(sts: KObject): FieldError[] {
  const spec = specOf(sts);
  const errs = validateObjectMeta(sts.metadata, true, nameIsDNSLabel);
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(fieldErrors.required('spec.podManagementPolicy', ''));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(fieldErrors.invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = obj(spec.updateStrategy) ?? {};
  const ru = obj(us.rollingUpdate);
  if (!us.type) errs.push(fieldErrors.required('spec.updateStrategy', ''));
  else if (us.type === 'OnDelete') {
    if (ru) errs.push(invalidRaw('spec.updateStrategy.rollingUpdate', JSON.stringify(ru), "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (us.type === 'RollingUpdate') {
    if (ru) {
      errs.push(...nonNegative(ru.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
        const p = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p));
        if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalidRaw(p, intOrStringText(ru.maxUnavailable), 'cannot be 0'));
        errs.push(...notMoreThan100Percent(ru.maxUnavailable, p));
      }
    }
  } else errs.push(invalidRaw('spec.updateStrategy', JSON.stringify(us), "must be 'RollingUpdate' or 'OnDelete'"));
  const retention = obj(spec.persistentVolumeClaimRetentionPolicy);
  if (retention) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      const v = retention[f];
      if (v !== 'Retain' && v !== 'Delete') errs.push(fieldErrors.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v ?? '', ['Retain', 'Delete']));
    }
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(obj(spec.ordinals)?.start, 'spec.ordinals.start'));
  errs.push(...validateSelectorAndTemplate(spec, 'statefulset', true));
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'), ...validateAlwaysRestartTemplate(spec, 'StatefulSet'));
  (Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []).forEach((t, i) => {
    errs.push(...validatePVCSpec(obj(obj(t)?.spec), `spec.volumeClaimTemplates[${i}].spec`));
  });
  return errs;
}

export function validateDaemonSet(ds: KObject): FieldError[] {
  const spec = specOf(ds);
  const errs = validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateSelectorAndTemplate(spec, 'daemonset', false));
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'), ...validateAlwaysRestartTemplate(spec, 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const us = obj(spec.updateStrategy) ?? {};
  if (us.type === 'RollingUpdate') {
    const ru = obj(us.rollingUpdate);
    if (!ru) errs.push(fieldErrors.required('spec.updateStrategy.rollingUpdate', ''));
    else {
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`), ...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(invalidRaw(`${p}.maxSurge`, intOrStringText(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      else if (!hasUnavailable && !hasSurge) errs.push(fieldErrors.required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    }
  } else if (us.type !== 'OnDelete') {
    errs.push(fieldErrors.notSupported('spec.updateStrategy', us.type ?? '', ['RollingUpdate', 'OnDelete']));
  }
  return errs;
}

export function validateControllerRevision(cr: KObject): FieldError[] {
  const errs = validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain);
  if (cr.data === undefined || cr.data === null) errs.push(fieldErrors.required('data', 'data is mandatory'));
  errs.push(...nonNegative(cr.revision, 'revision'));
  return errs;
}

/** Update rules: selectors are immutable (Deployment/ReplicaSet/DaemonSet via their strategies). */
export function validateWorkloadUpdate(kind: string, o: KObject, old: KObject): FieldError[] {
  const spec = specOf(o);
  const oldSpec = specOf(old);
  const errs = validateObjectMetaUpdate(o.metadata, old.metadata);
  if (kind === 'Deployment' || kind === 'ReplicaSet' || kind === 'DaemonSet') {
    errs.push(...immutable(spec.selector, oldSpec.selector, 'spec.selector', goLabelSelector));
  }
  if (kind === 'StatefulSet') {
    const mutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
    const strip = (s: Obj): Obj => Object.fromEntries(Object.entries(s).filter(([k]) => !mutable.includes(k)));
    if (!deepEqual(strip(spec), strip(oldSpec))) {
      errs.push(fieldErrors.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
  }
  if (kind === 'ControllerRevision') errs.push(...immutable(o.data, old.data, 'data', (v) => JSON.stringify(v)));
  return errs;
}

const REPLICA_STATUS_FIELDS: Record<string, string[]> = {
  Deployment: ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'],
  ReplicaSet: ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'],
  ReplicationController: ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'],
  StatefulSet: ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'],
  DaemonSet: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'],
};

/** Status ranges: counters non-negative, none above status.replicas, collisionCount never decremented. */
export function validateWorkloadStatus(kind: string, o: KObject, old: KObject): FieldError[] {
  const status = obj(o.status) ?? {};
  const errs: FieldError[] = [];
  for (const f of REPLICA_STATUS_FIELDS[kind] ?? []) errs.push(...nonNegative(status[f], `status.${f}`));
  const replicas = num(status.replicas);
  if (replicas !== undefined) {
    for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']) {
      const v = num(status[f]);
      if (v !== undefined && v > replicas && (REPLICA_STATUS_FIELDS[kind] ?? []).includes(f)) errs.push(fieldErrors.invalid(`status.${f}`, v, 'cannot be greater than status.replicas'));
    }
  }
  const oldCollisions = num(obj(old.status)?.collisionCount);
  const collisions = num(status.collisionCount);
  if (oldCollisions !== undefined && (collisions === undefined || collisions < oldCollisions)) {
    errs.push(fieldErrors.invalid('status.collisionCount', collisions ?? 0, 'cannot be decremented'));
  }
  return errs;
}
