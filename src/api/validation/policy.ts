// policy: PodDisruptionBudget (upstream pkg/apis/policy/validation).
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { invalidRaw, nonNegative, obj, type Obj } from './field.js';
import { validateLabelSelector, validateObjectMeta } from './meta.js';
import { isValidPercent, nameIsDNSSubdomain } from './names.js';

function validateIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'number') return nonNegative(v, path);
  if (typeof v !== 'string') return [];
  const errs = isValidPercent(v).map((m) => invalidRaw(path, v, m));
  if (!errs.length && parseInt(v, 10) > 100) errs.push(invalidRaw(path, v, 'must not be greater than 100%'));
  return errs;
}

export function validatePDB(pdb: KObject): FieldError[] {
  const spec: Obj = obj(pdb.spec) ?? {};
  const errs = validateObjectMeta(pdb.metadata, true, nameIsDNSSubdomain);
  const hasMin = spec.minAvailable !== undefined && spec.minAvailable !== null;
  const hasMax = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  if (hasMin && hasMax) errs.push(invalidRaw('spec', JSON.stringify(spec), 'minAvailable and maxUnavailable cannot be both set'));
  if (hasMin) errs.push(...validateIntOrPercent(spec.minAvailable, 'spec.minAvailable'));
  if (hasMax) errs.push(...validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== null && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') {
    errs.push(fieldErrors.notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}

export function validatePDBStatus(pdb: KObject): FieldError[] {
  const status = obj(pdb.status) ?? {};
  const errs: FieldError[] = [];
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) errs.push(...nonNegative(status[f], `status.${f}`));
  return errs;
}
