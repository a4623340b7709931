// Schemas of batch/v1 (Job, CronJob) as of Kubernetes v1.32, with upstream patch strategies and
// list types (Job conditions merge by type for strategic merge but are atomic for apply).
import { bool, int32, int64, kindFields, list, listOf, ref, str, struct, time, type ArraySchema, type StructDef } from './dsl.js';

const BATCH = 'io.k8s.api.batch.v1';
const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (kind: string) => ({ group: 'batch', version: 'v1', kind });

/** A listType=set without a patch strategy (upstream tags these with +listType=set only). */
const set = (items = str()): ArraySchema => ({ type: 'array', items, listType: 'set' });

const job: StructDef[] = [
  struct(`${BATCH}.Job`, { ...kindFields(), spec: ref(`${BATCH}.JobSpec`), status: ref(`${BATCH}.JobStatus`) }, { gvk: [gvk('Job')] }),
  struct(`${BATCH}.JobSpec`, {
    parallelism: int32(),
    completions: int32(),
    activeDeadlineSeconds: int64(),
    podFailurePolicy: ref(`${BATCH}.PodFailurePolicy`),
    successPolicy: ref(`${BATCH}.SuccessPolicy`),
    backoffLimit: int32(),
    backoffLimitPerIndex: int32(),
    maxFailedIndexes: int32(),
    selector: ref(`${META}.LabelSelector`),
    manualSelector: bool(),
    template: ref(`${CORE}.PodTemplateSpec`),
    ttlSecondsAfterFinished: int32(),
    completionMode: str(['Indexed', 'NonIndexed']),
    suspend: bool(),
    podReplacementPolicy: str(['Failed', 'TerminatingOrFailed']),
    managedBy: str(),
  }, { required: ['template'] }),
  struct(`${BATCH}.PodFailurePolicy`, { rules: list(ref(`${BATCH}.PodFailurePolicyRule`)) }, { required: ['rules'] }),
  struct(`${BATCH}.PodFailurePolicyRule`, {
    action: str(['Count', 'FailIndex', 'FailJob', 'Ignore']),
    onExitCodes: ref(`${BATCH}.PodFailurePolicyOnExitCodesRequirement`),
    onPodConditions: list(ref(`${BATCH}.PodFailurePolicyOnPodConditionsPattern`)),
  }, { required: ['action'] }),
  struct(`${BATCH}.PodFailurePolicyOnExitCodesRequirement`, {
    containerName: str(),
    operator: str(['In', 'NotIn']),
    values: set(int32()),
  }, { required: ['operator', 'values'] }),
  struct(`${BATCH}.PodFailurePolicyOnPodConditionsPattern`, { type: str(), status: str() }, { required: ['type', 'status'] }),
  struct(`${BATCH}.SuccessPolicy`, { rules: list(ref(`${BATCH}.SuccessPolicyRule`)) }, { required: ['rules'] }),
  struct(`${BATCH}.SuccessPolicyRule`, { succeededIndexes: str(), succeededCount: int32() }),
  struct(`${BATCH}.JobStatus`, {
    // Merged by type for strategic merge patch, but atomic for server-side apply (upstream tags).
    conditions: { type: 'array', items: ref(`${BATCH}.JobCondition`), listType: 'atomic', patchStrategy: 'merge', patchMergeKey: 'type' },
    startTime: time(),
    completionTime: time(),
    active: int32(),
    succeeded: int32(),
    failed: int32(),
    terminating: int32(),
    completedIndexes: str(),
    failedIndexes: str(),
    uncountedTerminatedPods: ref(`${BATCH}.UncountedTerminatedPods`),
    ready: int32(),
  }),
  struct(`${BATCH}.JobCondition`, {
    type: str(),
    status: str(),
    lastProbeTime: time(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  }, { required: ['type', 'status'] }),
  struct(`${BATCH}.UncountedTerminatedPods`, { succeeded: set(), failed: set() }),
  listOf(`${BATCH}.Job`, `${BATCH}.JobList`, gvk('JobList')),
];

const cronJob: StructDef[] = [
  struct(`${BATCH}.CronJob`, { ...kindFields(), spec: ref(`${BATCH}.CronJobSpec`), status: ref(`${BATCH}.CronJobStatus`) }, { gvk: [gvk('CronJob')] }),
  struct(`${BATCH}.CronJobSpec`, {
    schedule: str(),
    timeZone: str(),
    startingDeadlineSeconds: int64(),
    concurrencyPolicy: str(['Allow', 'Forbid', 'Replace']),
    suspend: bool(),
    jobTemplate: ref(`${BATCH}.JobTemplateSpec`),
    successfulJobsHistoryLimit: int32(),
    failedJobsHistoryLimit: int32(),
  }, { required: ['schedule', 'jobTemplate'] }),
  struct(`${BATCH}.JobTemplateSpec`, { metadata: ref(`${META}.ObjectMeta`), spec: ref(`${BATCH}.JobSpec`) }),
  struct(`${BATCH}.CronJobStatus`, {
    active: list(ref(`${CORE}.ObjectReference`)),
    lastScheduleTime: time(),
    lastSuccessfulTime: time(),
  }),
  listOf(`${BATCH}.CronJob`, `${BATCH}.CronJobList`, gvk('CronJobList')),
];

export const defs: StructDef[] = [...job, ...cronJob];
