// The admission chain for creates and updates, in upstream's plugin order: mutating plugins
// (LimitRanger, ServiceAccount, Priority, DefaultTolerationSeconds), then validating ones
// (LimitRanger, Priority, ResourceQuota). NamespaceLifecycle runs before all (see hooks.ts).
import { invalid } from '../../api/errors.js';
import { validateCreate } from '../../api/validation/index.js';
import { qosClass } from '../registry/strategy.js';
import type { AdmissionRequest, Stores } from './types.js';
import { admitLimitRangeDefaults, validateLimitRanges } from './limit-ranger.js';
import { admitServiceAccount } from './service-account.js';
import { admitPodPriority, validatePriorityClass } from './priority.js';
import { admitDefaultTolerations } from './default-tolerations.js';
import type { QuotaAdmission } from './resource-quota.js';

export async function runAdmission(req: AdmissionRequest, stores: Stores, quota: QuotaAdmission): Promise<void> {
  const { group, resource } = req.info;
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
  await validateLimitRanges(req, stores);
  if (group === 'scheduling.k8s.io' && resource === 'priorityclasses') await validatePriorityClass(req, stores);
  await quota.validate(req);
}
