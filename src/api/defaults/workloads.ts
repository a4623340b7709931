// Defaults for the pod-owning workloads (upstream apps/v1, batch/v1 and core/v1 defaults.go):
// Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, PodTemplate.
import type { KObject } from '../types.js';
import { defaultPVC } from './core.js';
import { defaultPodTemplate } from './pod.js';
import { child, ensure, isUnset, items, setDefault, type Obj } from './util.js';

export const JOB_NAME_LABELS = ['job-name', 'batch.kubernetes.io/job-name'];
export const JOB_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

export function defaultDeployment(d: KObject): void {
  const spec = ensure(d, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensure(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensure(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(child(spec, 'template'));
}

export function defaultReplicaSet(rs: KObject): void {
  const spec = ensure(rs, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(child(spec, 'template'));
}

export function defaultStatefulSet(sts: KObject): void {
  const spec = ensure(sts, 'spec');
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensure(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') setDefault(ensure(strategy, 'rollingUpdate'), 'partition', 0);
  const retention = ensure(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(child(spec, 'template'));
  for (const claim of items(spec, 'volumeClaimTemplates')) defaultPVC(claim);
}

export function defaultDaemonSet(ds: KObject): void {
  const spec = ensure(ds, 'spec');
  const strategy = ensure(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensure(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(child(spec, 'template'));
}

/** JobSpec defaults shared by Jobs (SetDefaults_Job) — not applied to CronJob job templates upstream. */
function defaultJobSpec(spec: Obj): void {
  if (isUnset(spec.completions) && isUnset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', isUnset(spec.backoffLimitPerIndex) ? 6 : 2147483647);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  const pfp = child(spec, 'podFailurePolicy');
  for (const rule of items(pfp, 'rules')) for (const cond of items(rule, 'onPodConditions')) setDefault(cond, 'status', 'True');
  setDefault(spec, 'podReplacementPolicy', pfp ? 'Failed' : 'TerminatingOrFailed');
}

/**
 * The Job strategy's generated selector: template labels for the job name and uid, and a selector
 * on the uid. Needs metadata.uid, so it runs only once one has been assigned.
 */
export function generateJobSelector(job: KObject): void {
  const spec = ensure(job, 'spec');
  const uid = job.metadata.uid;
  if (!uid || spec.manualSelector === true || !isUnset(spec.selector)) return;
  const template = ensure(spec, 'template');
  const labels = ensure(ensure(template, 'metadata'), 'labels');
  for (const l of JOB_NAME_LABELS) if (!(l in labels)) labels[l] = job.metadata.name ?? '';
  for (const l of JOB_UID_LABELS) if (!(l in labels)) labels[l] = uid;
  spec.selector = { matchLabels: { [JOB_UID_LABELS[1]!]: uid } };
}

export function defaultJob(job: KObject): void {
  const spec = ensure(job, 'spec');
  defaultJobSpec(spec);
  // Job labels default to the template's labels (before the generated ones are added).
  const templateLabels = child(child(child(spec, 'template'), 'metadata'), 'labels');
  if (templateLabels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...(templateLabels as Record<string, string>) };
  defaultPodTemplate(child(spec, 'template'));
  generateJobSelector(job);
}

export function defaultCronJob(cj: KObject): void {
  const spec = ensure(cj, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  defaultPodTemplate(child(child(child(spec, 'jobTemplate'), 'spec'), 'template'));
}

export function defaultReplicationController(rc: KObject): void {
  const spec = ensure(rc, 'spec');
  const template = child(spec, 'template');
  const labels = child(child(template, 'metadata'), 'labels');
  if (labels) {
    if (Object.keys(child(spec, 'selector') ?? {}).length === 0) spec.selector = { ...labels };
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...(labels as Record<string, string>) };
  }
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(template);
}

export function defaultPodTemplateObject(pt: KObject): void {
  defaultPodTemplate(child(pt, 'template'));
}
