// CertificateSigningRequest strategy (upstream pkg/registry/certificates/certificates/strategy.go):
// the spec never changes after create; the main resource changes only metadata; /status writes
// conditions (but not Approved/Denied) and the certificate; /approval writes only the
// Approved/Denied conditions. Condition timestamps are filled in when missing.
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';

interface Condition { type?: string; status?: string; lastUpdateTime?: string; lastTransitionTime?: string }
interface CsrStatus { conditions?: Condition[]; certificate?: string }

const APPROVAL = new Set(['Approved', 'Denied']);

function statusOf(o: KObject): CsrStatus {
  return (isPlainObject(o.status) ? o.status : {}) as CsrStatus;
}

function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function setStatus(obj: KObject, s: CsrStatus): void {
  const out: CsrStatus = {};
  if (s.conditions?.length) out.conditions = s.conditions;
  if (s.certificate) out.certificate = s.certificate;
  obj.status = out;
}

function fillTimestamps(conds: Condition[] | undefined, old: Condition[] | undefined): void {
  const now = nowRfc3339();
  for (const c of conds ?? []) {
    if (!isPlainObject(c)) continue;
    c.lastUpdateTime ||= now;
    if (!c.lastTransitionTime) {
      const prev = old?.find((o) => o.type === c.type);
      c.lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    }
  }
}

export function csrPrepareForCreate(obj: KObject): void {
  // Status is the signer's and approver's; requester fields are set by admission from the user.
  obj.status = {};
}

export function csrPrepareForUpdate(obj: KObject, old: KObject, subresource: string): void {
  obj.spec = old.spec;
  const prev = statusOf(old);
  if (subresource === 'status') {
    const next = statusOf(obj);
    const conds = (next.conditions ?? []).filter((c) => !APPROVAL.has(c?.type ?? ''));
    const kept = (prev.conditions ?? []).filter((c) => APPROVAL.has(c.type ?? ''));
    const merged = [...kept, ...conds];
    fillTimestamps(merged, prev.conditions);
    setStatus(obj, { conditions: merged, certificate: next.certificate });
  } else if (subresource === 'approval') {
    const next = statusOf(obj);
    const approvals = (next.conditions ?? []).filter((c) => APPROVAL.has(c?.type ?? ''));
    const others = (prev.conditions ?? []).filter((c) => !APPROVAL.has(c.type ?? ''));
    const merged = [...approvals, ...others];
    fillTimestamps(merged, prev.conditions);
    setStatus(obj, { conditions: merged, certificate: prev.certificate });
  } else {
    obj.status = old.status;
  }
}

/** Sets spec.username/uid/groups/extra from the requesting user (whatever the client sent). */
export function setRequester(obj: KObject, user: { name: string; uid?: string; groups: string[]; extra?: Record<string, string[]> }): void {
  const spec = (isPlainObject(obj.spec) ? obj.spec : (obj.spec = {})) as Record<string, unknown>;
  spec.username = user.name;
  if (user.uid) spec.uid = user.uid;
  else delete spec.uid;
  spec.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length) spec.extra = user.extra;
  else delete spec.extra;
}
