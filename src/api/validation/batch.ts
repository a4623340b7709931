// Job and CronJob validation (upstream pkg/apis/batch/validation): counts, completion mode,
// restart policy, generated selectors, schedule and time zone, and Job update immutability.
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { child, goLabelSelector, goStringMap, immutable, invalidRaw, nonNegative, num, obj, oneOf, str, type Obj } from './field.js';
import { selectorMatches, selectorOperatorsValid, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Label, nameIsDNSSubdomain } from './names.js';
import { templateLabels, validatePodTemplateSpec } from './pod.js';
import { cronParseError, timeZoneErrors } from './cron.js';

const MAX_PARALLELISM_INDEXED = 100000;
export const JOB_UID_LABEL = 'batch.kubernetes.io/controller-uid';

/** validateJobSpec: the checks shared by Jobs and CronJob job templates, under `path`. */
function validateJobSpecCommon(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    errs.push(...nonNegative(spec[f], child(path, f)));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(fieldErrors.notSupported(child(path, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (spec.completions === undefined || spec.completions === null) errs.push(fieldErrors.required(child(path, 'completions'), 'when completion mode is Indexed'));
      const par = num(spec.parallelism);
      if (par !== undefined && par > MAX_PARALLELISM_INDEXED) errs.push(fieldErrors.invalid(child(path, 'parallelism'), par, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
    }
  }
  if (spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null && mode !== 'Indexed') {
    errs.push(fieldErrors.invalid(child(path, 'backoffLimitPerIndex'), spec.backoffLimitPerIndex, 'requires indexed completion mode'));
  }
  const prp = spec.podReplacementPolicy;
  if (prp !== undefined && prp !== null) {
    if (obj(spec.podFailurePolicy)) {
      if (prp !== 'Failed') errs.push(fieldErrors.notSupported(child(path, 'podReplacementPolicy'), prp, ['Failed']));
    } else errs.push(...oneOf(prp, child(path, 'podReplacementPolicy'), ['TerminatingOrFailed', 'Failed']));
  }
  errs.push(...validatePodTemplateSpec(spec.template, child(path, 'template')));
  const rp = obj(obj(spec.template)?.spec)?.restartPolicy;
  const rpPath = `${path}.template.spec.restartPolicy`;
  // The pod defaults set Always, so an unset policy surfaces here as Always.
  if (rp === 'Always' || rp === '' || rp === undefined) errs.push(fieldErrors.required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never') errs.push(fieldErrors.notSupported(rpPath, rp, ['OnFailure', 'Never']));
  else if (obj(spec.podFailurePolicy) && rp !== 'Never') errs.push(fieldErrors.invalid(rpPath, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

export function validateJob(job: KObject): FieldError[] {
  const spec = obj(job.spec) ?? {};
  const errs = validateObjectMeta(job.metadata, true, nameIsDNSSubdomain);
  const sel = spec.selector;
  if (sel !== undefined && sel !== null && spec.manualSelector !== true) {
    if (!job.metadata.uid) errs.push(fieldErrors.required('metadata.uid', ''));
    else if (obj(obj(sel)?.matchLabels)?.[JOB_UID_LABEL] !== job.metadata.uid) errs.push(invalidRaw('spec.selector', goLabelSelector(sel), '`selector` not auto-generated'));
  }
  errs.push(...validateJobSpecCommon(spec, 'spec'));
  if (sel === undefined || sel === null) errs.push(fieldErrors.required('spec.selector', ''));
  else errs.push(...validateLabelSelector(sel, 'spec.selector'));
  if (sel && selectorOperatorsValid(sel) && !selectorMatches(sel, templateLabels(spec.template))) {
    errs.push(invalidRaw('spec.template.metadata.labels', goStringMap(templateLabels(spec.template)), '`selector` does not match template `labels`'));
  }
  const completions = num(spec.completions);
  if (spec.completionMode === 'Indexed' && completions !== undefined && completions > 0) {
    const hostname = `${job.metadata.name ?? ''}-${completions - 1}`;
    if (isDNS1123Label(hostname).length) errs.push(fieldErrors.invalid('metadata.name', job.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${hostname}`));
  }
  return errs;
}

export function validateJobUpdate(job: KObject, old: KObject): FieldError[] {
  const spec = obj(job.spec) ?? {};
  const prev = obj(old.spec) ?? {};
  const errs = [...validateObjectMetaUpdate(job.metadata, old.metadata), ...validateJobSpecCommon(spec, 'spec')];
  // Elastic indexed jobs may change completions together with parallelism.
  const elastic = spec.completionMode === 'Indexed' && prev.completionMode === 'Indexed' && spec.completions === spec.parallelism;
  if (!elastic) errs.push(...immutable(spec.completions, prev.completions, 'spec.completions'));
  errs.push(...immutable(spec.selector, prev.selector, 'spec.selector', goLabelSelector));
  errs.push(...immutable(spec.template, prev.template, 'spec.template', (v) => JSON.stringify(v)));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) {
    errs.push(...immutable(spec[f], prev[f], `spec.${f}`, (v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : JSON.stringify(v ?? null))));
  }
  return errs;
}

export function validateJobStatus(job: KObject, old: KObject): FieldError[] {
  const status = obj(job.status) ?? {};
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata);
  for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating']) errs.push(...nonNegative(status[f], `status.${f}`));
  return errs;
}

function validateCronJobSpec(spec: Obj, oldSpec: Obj | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = str(spec.schedule) ?? '';
  const tz = spec.timeZone;
  if (!schedule) errs.push(fieldErrors.required('spec.schedule', ''));
  else {
    const parseErr = cronParseError(schedule);
    if (parseErr) errs.push(fieldErrors.invalid('spec.schedule', schedule, parseErr));
    const allowTZ = (str(oldSpec?.schedule) ?? '').includes('TZ');
    if (allowTZ && schedule.includes('TZ') && typeof tz === 'string') errs.push(fieldErrors.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    else if (!allowTZ && schedule.includes('TZ')) errs.push(fieldErrors.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (typeof tz === 'string' && (!oldSpec || oldSpec.timeZone !== tz)) for (const m of timeZoneErrors(tz)) errs.push(fieldErrors.invalid('spec.timeZone', tz, m));
  errs.push(...oneOf(spec.concurrencyPolicy, 'spec.concurrencyPolicy', ['Allow', 'Forbid', 'Replace']));
  const jt = obj(obj(spec.jobTemplate)?.spec) ?? {};
  errs.push(...validateJobSpecCommon(jt, 'spec.jobTemplate.spec'));
  if (jt.selector !== undefined && jt.selector !== null) errs.push(invalidRaw('spec.jobTemplate.spec.selector', goLabelSelector(jt.selector), '`selector` will be auto-generated'));
  if (jt.manualSelector === true) errs.push(fieldErrors.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'), ...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

export function validateCronJob(cj: KObject): FieldError[] {
  const errs = [...validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain), ...validateCronJobSpec(obj(cj.spec) ?? {}, undefined)];
  // The controller appends an 11-character suffix to make Job names, which must stay within 63.
  const name = cj.metadata.name ?? '';
  if (name.length > 52) errs.push(fieldErrors.invalid('metadata.name', name, 'must be no more than 52 characters'));
  return errs;
}

export function validateCronJobUpdate(cj: KObject, old: KObject): FieldError[] {
  return [...validateObjectMetaUpdate(cj.metadata, old.metadata), ...validateCronJobSpec(obj(cj.spec) ?? {}, obj(old.spec) ?? {})];
}
