// The batch/v1 Job and core/v1 Pod fields the Job controller reads and writes, as plain JSON shapes
// (objects stay plain data; see api/types.ts), plus the label/annotation/finalizer names it uses.
import type { KObject } from '../../api/types.js';
import type { LabelSelectorSpec } from '../../api/selectors/label-selector.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
export const INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface PodFailurePolicyRule {
  action: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] } | null;
  onPodConditions?: { type: string; status?: string }[] | null;
}

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  activeDeadlineSeconds?: number | null;
  backoffLimit?: number;
  backoffLimitPerIndex?: number | null;
  maxFailedIndexes?: number | null;
  selector?: LabelSelectorSpec;
  manualSelector?: boolean;
  template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] }; spec?: PodSpec };
  ttlSecondsAfterFinished?: number | null;
  completionMode?: 'NonIndexed' | 'Indexed';
  suspend?: boolean;
  podFailurePolicy?: { rules: PodFailurePolicyRule[] } | null;
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
  successPolicy?: { rules: { succeededIndexes?: string; succeededCount?: number }[] } | null;
  managedBy?: string;
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  ready?: number;
}

export interface Job extends KObject {
  spec: JobSpec;
  status?: JobStatus;
}

export interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { terminated?: { exitCode: number; finishedAt?: string; reason?: string } };
}

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export interface PodSpec {
  restartPolicy?: string;
  hostname?: string;
  nodeName?: string;
  containers?: { name: string; env?: { name: string }[] }[];
  initContainers?: { name: string; env?: { name: string }[] }[];
  [key: string]: unknown;
}

export interface Pod extends KObject {
  spec?: PodSpec;
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}
