// DefaultTolerationSeconds admission (upstream plugin/pkg/admission/defaulttolerationseconds):
// pods that do not already tolerate the node lifecycle controller's NoExecute taints get 300 s of
// tolerance, so a node that goes NotReady or unreachable evicts them after five minutes.
import type { AdmissionRequest, Toleration } from './types.js';
import { podSpec } from './types.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

function tolerates(tolerations: Toleration[], key: string): boolean {
  // An empty key (with operator Exists) or an empty effect tolerates everything, as upstream checks.
  return tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
}

export function admitDefaultTolerations(req: AdmissionRequest): void {
  if (req.subresource) return;
  const spec = podSpec(req.obj);
  const tolerations = spec.tolerations ?? [];
  const added: Toleration[] = [];
  for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE]) {
    if (!tolerates(tolerations, key)) added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  if (added.length) spec.tolerations = [...tolerations, ...added];
}
