// events.k8s.io/v1 Event: the strict rules for new-style events (upstream ValidateEventCreate for
// non-core versions). Field paths use the internal names upstream reports (e.g. involvedObject).
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { num, obj, str } from './field.js';
import { validateObjectMeta } from './meta.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from './names.js';
import { validateReporting } from './core.js';

export function validateEventsV1(ev: KObject): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, true, nameIsDNSSubdomain);
  const ns = ev.metadata.namespace ?? '';
  const regardingNs = str(obj(ev.regarding)?.namespace) ?? '';
  if (!regardingNs && ns !== 'default' && ns !== 'kube-system') errs.push(fieldErrors.invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
  errs.push(...validateReporting(ev, 'reportingController', 'note'));
  if (!ev.eventTime) errs.push(fieldErrors.required('eventTime', ''));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(fieldErrors.invalid('type', '', `has invalid value: ${String(ev.type ?? '')}`));
  if (ev.deprecatedFirstTimestamp) errs.push(fieldErrors.invalid('firstTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedLastTimestamp) errs.push(fieldErrors.invalid('lastTimestamp', '', 'needs to be unset'));
  if ((num(ev.deprecatedCount) ?? 0) !== 0) errs.push(fieldErrors.invalid('count', '', 'needs to be unset'));
  const source = obj(ev.deprecatedSource);
  if (source && (str(source.component) || str(source.host))) errs.push(fieldErrors.invalid('source', '', 'needs to be unset'));
  const series = obj(ev.series);
  if (series) {
    if ((num(series.count) ?? 0) < 2) errs.push(fieldErrors.invalid('series.count', '', 'should be at least 2'));
    if (!series.lastObservedTime) errs.push(fieldErrors.required('series.lastObservedTime', ''));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(fieldErrors.invalid('namespace', ns, m));
  return errs;
}
