// podFailurePolicy matching (upstream pkg/controller/job/pod_failure_policy.go): the first rule
// whose onExitCodes or onPodConditions requirement matches a failed pod decides whether the pod
// fails the Job (with upstream's message), fails its index, is ignored, or counts as usual.
import type { ContainerStatus, JobSpec, Pod } from './types.js';

export type PolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PolicyMatch {
  /** Set for FailJob: the Job's failure message. */
  failJobMessage?: string;
  /** Whether the failure counts towards backoffLimit (false only for Ignore). */
  countFailed: boolean;
  action?: PolicyAction;
}

type ExitCodeRule = NonNullable<NonNullable<JobSpec['podFailurePolicy']>['rules'][number]['onExitCodes']>;

function matchingContainer(list: ContainerStatus[] | undefined, req: ExitCodeRule): ContainerStatus | undefined {
  for (const cs of list ?? []) {
    const t = cs.state?.terminated;
    if (!t) continue;
    if (req.containerName && req.containerName !== cs.name) continue;
    // Exit code 0 never matches: a succeeded container is not why a pod failed.
    if (t.exitCode === 0) continue;
    const listed = req.values.includes(t.exitCode);
    if (req.operator === 'In' ? listed : !listed) return cs;
  }
  return undefined;
}

export function matchPodFailurePolicy(policy: JobSpec['podFailurePolicy'], pod: Pod): PolicyMatch {
  if (!policy) return { countFailed: true };
  const ns = pod.metadata.namespace;
  const name = pod.metadata.name;
  for (const [index, rule] of policy.rules.entries()) {
    let what: string | undefined;
    if (rule.onExitCodes) {
      const cs = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (cs) what = `Container ${cs.name} for pod ${ns}/${name} failed with exit code ${cs.state!.terminated!.exitCode} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const cond = (pod.status?.conditions ?? []).find((c) => rule.onPodConditions!.some((p) => p.type === c.type && (p.status ?? 'True') === c.status));
      if (cond) what = `Pod ${ns}/${name} has condition ${cond.type} matching ${rule.action} rule at index ${index}`;
    }
    if (what === undefined) continue;
    switch (rule.action) {
      case 'Ignore':
        return { countFailed: false, action: 'Ignore' };
      case 'FailIndex':
        return { countFailed: true, action: 'FailIndex' };
      case 'Count':
        return { countFailed: true, action: 'Count' };
      case 'FailJob':
        return { failJobMessage: what, countFailed: true, action: 'FailJob' };
    }
  }
  return { countFailed: true };
}
