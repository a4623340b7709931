// Priority admission (upstream plugin/pkg/admission/priority): resolves a new pod's
// priorityClassName (or the global default class) into spec.priority and spec.preemptionPolicy,
// keeps them on updates, and allows only one globalDefault PriorityClass.
import type { KObject } from '../../api/types.js';
import type { AdmissionRequest, Stores } from './types.js';
import { admissionForbidden, listIn, podSpec, storeFor } from './types.js';

interface PriorityClassFields {
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

/** The global default class; with several (a race), the one with the lowest value, as upstream. */
async function defaultClass(stores: Stores): Promise<KObject | undefined> {
  let best: KObject | undefined;
  for (const pc of await listIn(stores, 'scheduling.k8s.io', 'priorityclasses', '')) {
    const f = pc as PriorityClassFields & KObject;
    if (f.globalDefault !== true) continue;
    if (!best || ((best as PriorityClassFields).value ?? 0) > (f.value ?? 0)) best = pc;
  }
  return best;
}

export async function admitPodPriority(req: AdmissionRequest, stores: Stores): Promise<void> {
  if (req.subresource) return;
  const spec = podSpec(req.obj);
  if (req.operation === 'UPDATE') {
    // Set at create; a client replacing the pod without them keeps the stored values.
    const old = podSpec(req.old!);
    if (spec.priority === undefined && old.priority !== undefined) spec.priority = old.priority;
    if (spec.preemptionPolicy === undefined && old.preemptionPolicy !== undefined) spec.preemptionPolicy = old.preemptionPolicy;
    return;
  }
  let priority = 0;
  let policy: string | undefined;
  if (!spec.priorityClassName) {
    const pc = await defaultClass(stores);
    if (pc) {
      spec.priorityClassName = pc.metadata.name;
      priority = (pc as PriorityClassFields & KObject).value ?? 0;
      policy = (pc as PriorityClassFields & KObject).preemptionPolicy;
    }
  } else {
    const pc = await storeFor(stores, 'scheduling.k8s.io', 'priorityclasses').tryGet('', spec.priorityClassName);
    if (!pc) throw admissionForbidden(req, `no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = (pc as PriorityClassFields & KObject).value ?? 0;
    policy = (pc as PriorityClassFields & KObject).preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw admissionForbidden(req, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (policy) {
    if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
      throw admissionForbidden(req, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  }
}

/** Validating half: at most one PriorityClass may be the global default. */
export async function validatePriorityClass(req: AdmissionRequest, stores: Stores): Promise<void> {
  if (req.subresource || (req.obj as PriorityClassFields & KObject).globalDefault !== true) return;
  const current = await defaultClass(stores);
  if (!current) return;
  if (req.operation === 'CREATE' || current.metadata.name !== req.obj.metadata.name) {
    throw admissionForbidden(req, `PriorityClass ${current.metadata.name} is already marked as default. Only one default can exist`);
  }
}
