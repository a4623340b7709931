// coordination.k8s.io: Lease (upstream pkg/apis/coordination/validation).
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { nonNegative, num, obj, str } from './field.js';
import { validateObjectMeta } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';

export function validateLease(lease: KObject): FieldError[] {
  const spec = obj(lease.spec) ?? {};
  const errs = validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain);
  const duration = num(spec.leaseDurationSeconds);
  if (duration !== undefined && duration <= 0) errs.push(fieldErrors.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  errs.push(...nonNegative(spec.leaseTransitions, 'spec.leaseTransitions'));
  const strategy = str(spec.strategy);
  if (strategy !== undefined && strategy !== 'OldestEmulationVersion') errs.push(fieldErrors.notSupported('spec.strategy', strategy, ['OldestEmulationVersion']));
  if (str(spec.preferredHolder) && !strategy) errs.push(fieldErrors.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return errs;
}
