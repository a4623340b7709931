// The PodSecurity admission plugin (built in upstream since 1.25): a namespace's labels choose a
// level per mode. enforce refuses pods that fail it (Forbidden, upstream's text); audit records
// the violations as an audit annotation; warn returns them as a Warning header. Workload objects
// (Deployments, Jobs, CronJobs, ...) get audit and warn for their pod template, never enforce —
// their pods meet enforce when created. Namespaces must carry valid labels, and a change of the
// enforce label warns about existing pods that would fail it. Nothing is exempt by default; a
// PodSecurityConfiguration (config.ts) sets defaults and exempt namespaces, users, runtime classes.
import { fieldErrors, invalid } from '../../../api/errors.js';
import type { KObject } from '../../../api/types.js';
import { isPlainObject } from '../../../api/types.js';
import type { AdmissionRequest, Stores } from '../types.js';
import { admissionForbidden, storeFor } from '../types.js';
import { describe, evaluate, LABEL_PREFIX, levelString, namespacePolicy } from './policy.js';
import type { PodMetaView, PodSpecView } from './pod-view.js';
import { DEFAULT_POD_SECURITY } from './config.js';
import type { PodSecurityConfig } from './config.js';

const AUDIT_VIOLATIONS = 'pod-security.kubernetes.io/audit-violations';
const EXEMPT = 'pod-security.kubernetes.io/exempt';

// One configuration per server (keyed by its stores, as the other admission singletons).
const configs = new WeakMap<Stores, PodSecurityConfig>();

export function configurePodSecurity(stores: Stores, cfg: PodSecurityConfig): void {
  configs.set(stores, cfg);
}

function configOf(stores: Stores): PodSecurityConfig {
  return configs.get(stores) ?? DEFAULT_POD_SECURITY;
}

/** Upstream's exemption order: namespace, then user, then runtime class. */
function exemption(req: AdmissionRequest, cfg: PodSecurityConfig, spec: PodSpecView): string | undefined {
  const e = cfg.exemptions;
  if (e.namespaces.includes(req.namespace)) return 'namespace';
  if (e.usernames.includes(req.ctx.user.name)) return 'user';
  const rc = (spec as { runtimeClassName?: string }).runtimeClassName;
  if (rc && e.runtimeClasses.includes(rc)) return 'runtimeClass';
  return undefined;
}

function exempt(req: AdmissionRequest, cfg: PodSecurityConfig, spec: PodSpecView): boolean {
  const why = exemption(req, cfg, spec);
  if (why && req.ctx.auditAnnotations) req.ctx.auditAnnotations[EXEMPT] = why;
  return why !== undefined;
}
const ENFORCE_POLICY = 'pod-security.kubernetes.io/enforce-policy';

/** Where each workload kind keeps its pod template. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  '/replicationcontrollers': ['spec', 'template'],
  '/podtemplates': ['template'],
  'apps/deployments': ['spec', 'template'],
  'apps/replicasets': ['spec', 'template'],
  'apps/statefulsets': ['spec', 'template'],
  'apps/daemonsets': ['spec', 'template'],
  'batch/jobs': ['spec', 'template'],
  'batch/cronjobs': ['spec', 'jobTemplate', 'spec', 'template'],
};

export async function admitPodSecurity(req: AdmissionRequest, stores: Stores): Promise<void> {
  const id = `${req.info.group}/${req.info.resource}`;
  if (id === '/namespaces' && !req.subresource) return admitNamespace(req, stores);
  if (id === '/pods' && (req.subresource === '' || req.subresource === 'ephemeralcontainers')) return admitPod(req, stores);
  const path = TEMPLATE_PATHS[id];
  if (path && !req.subresource) return admitTemplate(req, stores, path);
}

async function policyOf(req: AdmissionRequest, stores: Stores) {
  const ns = await storeFor(stores, '', 'namespaces').getCached('', req.namespace);
  return ns ? namespacePolicy(ns.metadata.labels, configOf(stores).defaults).policy : undefined;
}

async function admitPod(req: AdmissionRequest, stores: Stores): Promise<void> {
  if (req.operation === 'UPDATE' && req.old && !significantPodUpdate(req.obj, req.old)) return;
  const meta = req.obj.metadata as PodMetaView;
  const spec = (isPlainObject(req.obj.spec) ? req.obj.spec : {}) as PodSpecView;
  if (exempt(req, configOf(stores), spec)) return;
  const policy = await policyOf(req, stores);
  if (!policy) return;
  const annotations = req.ctx.auditAnnotations;
  if (annotations) annotations[ENFORCE_POLICY] = levelString(policy.enforce);
  const enforced = evaluate(policy.enforce.level, meta, spec);
  if (enforced.length) throw admissionForbidden(req, `violates PodSecurity "${levelString(policy.enforce)}": ${describe(enforced)}`);
  report(req, policy.audit, policy.warn, meta, spec);
}

async function admitTemplate(req: AdmissionRequest, stores: Stores, path: string[]): Promise<void> {
  const template = dig(req.obj, path);
  if (!template) return;
  if (req.operation === 'UPDATE' && req.old && JSON.stringify(template) === JSON.stringify(dig(req.old, path))) return;
  if (exempt(req, configOf(stores), (template.spec ?? {}) as PodSpecView)) return;
  const policy = await policyOf(req, stores);
  if (!policy) return;
  report(req, policy.audit, policy.warn, (template.metadata ?? {}) as PodMetaView, (template.spec ?? {}) as PodSpecView);
}

function report(req: AdmissionRequest, audit: { level: 'privileged' | 'baseline' | 'restricted'; version: string }, warn: typeof audit, meta: PodMetaView, spec: PodSpecView): void {
  const auditViolations = evaluate(audit.level, meta, spec);
  if (auditViolations.length && req.ctx.auditAnnotations) req.ctx.auditAnnotations[AUDIT_VIOLATIONS] = `would violate PodSecurity "${levelString(audit)}": ${describe(auditViolations)}`;
  const warnViolations = evaluate(warn.level, meta, spec);
  if (warnViolations.length) req.ctx.warnings.push(`would violate PodSecurity "${levelString(warn)}": ${describe(warnViolations)}`);
}

async function admitNamespace(req: AdmissionRequest, stores: Stores): Promise<void> {
  const labels = req.obj.metadata.labels;
  const cfg = configOf(stores);
  const { policy, errors } = namespacePolicy(labels, cfg.defaults);
  const oldLabels = req.old?.metadata.labels;
  const changed = (k: string) => labels?.[k] !== oldLabels?.[k];
  const policyChanged = req.operation === 'CREATE' || Object.keys({ ...labels, ...oldLabels }).some((k) => k.startsWith(LABEL_PREFIX) && changed(k));
  if (!policyChanged) return;
  if (errors.length) throw invalid('', 'Namespace', req.obj.metadata.name ?? '', errors.map((e) => fieldErrors.invalid(`metadata.labels[${e.label}]`, e.value, e.message)));
  if (req.operation !== 'UPDATE' || policy.enforce.level === 'privileged' || cfg.exemptions.namespaces.includes(req.obj.metadata.name ?? '')) return;
  const before = namespacePolicy(oldLabels, cfg.defaults).policy.enforce;
  if (before.level === policy.enforce.level && before.version === policy.enforce.version) return;
  // Existing pods are not touched; the new level is dry-run against them and reported.
  const name = req.obj.metadata.name ?? '';
  const pods = (await storeFor(stores, '', 'pods').list(name, {})).items;
  // Pods failing the same checks are reported together: `first (and N other pods): reasons`.
  const groups = new Map<string, string[]>();
  for (const pod of pods) {
    const v = evaluate(policy.enforce.level, pod.metadata as PodMetaView, (pod.spec ?? {}) as PodSpecView);
    if (!v.length) continue;
    const key = v.map((x) => x.reason).join(', ');
    groups.set(key, [...(groups.get(key) ?? []), pod.metadata.name ?? '']);
  }
  if (!groups.size) return;
  req.ctx.warnings.push(`existing pods in namespace "${name}" violate the new PodSecurity enforce level "${levelString(policy.enforce)}"`);
  for (const [reasons, names] of groups) {
    const others = names.length - 1;
    req.ctx.warnings.push(`${names[0]}${others ? ` (and ${others} other ${others === 1 ? 'pod' : 'pods'})` : ''}: ${reasons}`);
  }
}

/** Updates that change only metadata or container images are not re-evaluated (as upstream). */
function significantPodUpdate(obj: KObject, old: KObject): boolean {
  const strip = (spec: unknown) => {
    const s = structuredClone((spec ?? {}) as Record<string, unknown>);
    for (const k of ['containers', 'initContainers', 'ephemeralContainers']) {
      const list = s[k];
      if (Array.isArray(list)) for (const c of list) if (isPlainObject(c)) delete c.image;
    }
    return JSON.stringify(s);
  };
  if (strip(obj.spec) !== strip(old.spec)) return true;
  // AppArmor annotations are part of the policy.
  const aa = (o: KObject) => JSON.stringify(Object.entries(o.metadata.annotations ?? {}).filter(([k]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/')));
  return aa(obj) !== aa(old);
}

function dig(obj: KObject, path: string[]): { metadata?: unknown; spec?: unknown } | undefined {
  let cur: unknown = obj;
  for (const p of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[p];
  }
  return isPlainObject(cur) ? (cur as { metadata?: unknown; spec?: unknown }) : undefined;
}
