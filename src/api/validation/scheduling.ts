// scheduling.k8s.io: PriorityClass (upstream pkg/apis/scheduling/validation).
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { num } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';

export const HIGHEST_USER_PRIORITY = 1000000000;
/** The built-in system classes and their fixed values. */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

function knownSystemClassError(name: string, value: number, globalDefault: boolean): string | undefined {
  if (!(name in SYSTEM_PRIORITY_CLASSES)) return `${name} is not a known system priority class`;
  if (SYSTEM_PRIORITY_CLASSES[name] !== value) return `value of ${name} PriorityClass must be ${SYSTEM_PRIORITY_CLASSES[name]}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

export function validatePriorityClass(pc: KObject): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain);
  const name = pc.metadata.name ?? '';
  const value = num(pc.value) ?? 0;
  if (name.startsWith('system-')) {
    const err = knownSystemClassError(name, value, pc.globalDefault === true);
    if (err) errs.push(fieldErrors.forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${err}`));
  } else if (value > HIGHEST_USER_PRIORITY) {
    errs.push(fieldErrors.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  const pp = pc.preemptionPolicy;
  if (pp !== undefined && pp !== null && pp !== 'Never' && pp !== 'PreemptLowerPriority') errs.push(fieldErrors.notSupported('preemptionPolicy', pp, ['Never', 'PreemptLowerPriority']));
  return errs;
}

export function validatePriorityClassUpdate(pc: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pc.metadata, old.metadata), ...validatePriorityClass(pc).filter((e) => !e.field.startsWith('metadata'))];
  if (pc.value !== old.value) errs.push(fieldErrors.forbidden('value', 'may not be changed in an update.'));
  if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push(fieldErrors.invalid('preemptionPolicy', pc.preemptionPolicy ?? null, 'field is immutable'));
  return errs;
}
