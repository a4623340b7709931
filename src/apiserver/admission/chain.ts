// The admission chain for creates, updates and deletes, in upstream's plugin order: mutating
// built-ins (LimitRanger, ServiceAccount, Priority, DefaultTolerationSeconds), then mutating
// webhooks, then validation again when a webhook changed the object, then validating built-ins
// (LimitRanger, PodSecurity, Priority), validating webhooks, and ResourceQuota last (as upstream's
// ValidatingAdmissionWebhook precedes ResourceQuota). NamespaceLifecycle runs before all (hooks.ts).
import { invalid } from '../../api/errors.js';
import { applyDefaults } from '../../api/defaults/index.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../../api/validation/index.js';
import type { KObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { RequestContext } from '../registry/store.js';
import { qosClass } from '../registry/strategy.js';
import type { AdmissionRequest, Stores } from './types.js';
import { admitLimitRangeDefaults, validateLimitRanges } from './limit-ranger.js';
import { admitServiceAccount } from './service-account.js';
import { admitPodPriority, validatePriorityClass } from './priority.js';
import { admitDefaultTolerations } from './default-tolerations.js';
import { admitDefaultStorageClass } from './default-storage-class.js';
import { admitDefaultIngressClass } from './default-ingress-class.js';
import { admitPodSecurity } from './pod-security/admission.js';
import type { QuotaAdmission } from './resource-quota.js';
import type { WebhookAdmission, WebhookRequest } from './webhook.js';

function webhookRequest(req: AdmissionRequest): WebhookRequest {
  return { operation: req.operation, info: req.info, subresource: req.subresource, namespace: req.namespace, name: req.obj.metadata.name ?? '', obj: req.obj, old: req.old, ctx: req.ctx };
}

/** The object as a webhook left it must still be valid (upstream validates after all mutation). */
function revalidate(req: AdmissionRequest): void {
  const { group, kind } = req.info;
  applyDefaults(group, kind, req.obj);
  const errs = req.operation === 'CREATE' ? validateCreate(group, kind, req.obj)
    : req.subresource === 'status' ? validateStatusUpdate(group, kind, req.obj, req.old!)
      : validateUpdate(group, kind, req.obj, req.old!);
  if (errs.length) throw invalid(group, kind, req.obj.metadata.name ?? '', errs);
}

async function mutateBuiltin(req: AdmissionRequest, stores: Stores): Promise<void> {
  const { group, resource } = req.info;
  if (group === '' && resource === 'persistentvolumeclaims') await admitDefaultStorageClass(req, stores);
  if (group === 'networking.k8s.io' && resource === 'ingresses') await admitDefaultIngressClass(req, stores);
  if (group === '' && resource === 'pods' && !req.subresource) {
    const before = req.operation === 'CREATE' ? JSON.stringify(req.obj.spec) : '';
    await admitLimitRangeDefaults(req, stores);
    await admitServiceAccount(req, stores);
    await admitPodPriority(req, stores);
    admitDefaultTolerations(req);
    if (req.operation === 'CREATE' && JSON.stringify(req.obj.spec) !== before) {
      // The store validated before admission ran; upstream validates after mutation, so check the
      // result again (a LimitRange default request above the pod's own limit is refused here).
      const errs = validateCreate('', 'Pod', req.obj);
      if (errs.length) throw invalid('', 'Pod', req.obj.metadata.name ?? '', errs);
      // QoS follows the (possibly defaulted) requests and limits, as PrepareForCreate sees them upstream.
      const status = (req.obj.status ?? {}) as Record<string, unknown>;
      req.obj.status = { ...status, qosClass: qosClass(req.obj) };
    }
  }
}

export async function runAdmission(req: AdmissionRequest, stores: Stores, quota: QuotaAdmission, webhooks?: WebhookAdmission): Promise<void> {
  const { group, resource } = req.info;
  await mutateBuiltin(req, stores);
  if (webhooks && (await webhooks.mutate(webhookRequest(req)))) revalidate(req);
  await validateLimitRanges(req, stores);
  // PodSecurity validates the object as the mutating plugins and webhooks left it.
  await admitPodSecurity(req, stores);
  if (group === 'scheduling.k8s.io' && resource === 'priorityclasses') await validatePriorityClass(req, stores);
  if (webhooks) await webhooks.validate(webhookRequest(req));
  await quota.validate(req);
}

/** DELETE goes through the mutating, then the validating webhooks, with the object as oldObject. */
export async function runDeleteAdmission(info: ResourceInfo, obj: KObject, ctx: RequestContext, webhooks: WebhookAdmission): Promise<void> {
  const namespace = info.namespaced ? (obj.metadata.namespace ?? '') : '';
  const req: WebhookRequest = { operation: 'DELETE', info, subresource: '', namespace, name: obj.metadata.name ?? '', old: obj, ctx };
  await webhooks.mutate(req);
  await webhooks.validate(req);
}
