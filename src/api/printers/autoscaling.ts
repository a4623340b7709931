// HorizontalPodAutoscalers, from either autoscaling/v2 objects (spec.metrics) or autoscaling/v1
// ones (targetCPUUtilizationPercentage): REFERENCE, TARGETS ("cpu: 40%/80%"), MINPODS, MAXPODS.

import { at, has, int, list, quantity, record, str } from './access.js';
import { age } from './format.js';
import { ageColumn, column, nameColumn, type TablePrinter } from './table.js';

const pct = (v: unknown): string => `${Math.trunc(v as number)}%`;

/** Normalizes a v1 object's CPU target into v2's metric/status shape. */
function metricsOf(hpa: unknown): { specs: unknown[]; statuses: unknown[] } {
  if (has(hpa, 'spec', 'metrics') || !has(hpa, 'spec', 'targetCPUUtilizationPercentage')) {
    return { specs: list(hpa, 'spec', 'metrics'), statuses: list(hpa, 'status', 'currentMetrics') };
  }
  const spec = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: at(hpa, 'spec', 'targetCPUUtilizationPercentage') } } };
  const current = at(hpa, 'status', 'currentCPUUtilizationPercentage');
  const statuses = typeof current === 'number' ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }] : [];
  return { specs: [spec], statuses };
}

/** MetricSpec.type → the member holding that source. */
const SOURCE_FIELDS: Record<string, string> = { External: 'external', Pods: 'pods', Object: 'object', Resource: 'resource', ContainerResource: 'containerResource' };

function formatMetric(spec: unknown, status: unknown): string {
  const type = str(spec, 'type');
  if (!Object.hasOwn(SOURCE_FIELDS, type)) return '<unknown type>';
  const sourceKey = SOURCE_FIELDS[type]!;
  const target = record(spec, sourceKey, 'target');
  const cur = has(status, sourceKey) ? record(status, sourceKey, 'current') : undefined;
  switch (type) {
    case 'Pods':
      return `${cur ? quantity(cur, 'averageValue') : '<unknown>'}/${quantity(target, 'averageValue')}`;
    case 'External':
    case 'Object':
      if (has(target, 'averageValue')) return `${cur && has(cur, 'averageValue') ? quantity(cur, 'averageValue') : '<unknown>'}/${quantity(target, 'averageValue')} (avg)`;
      return `${cur ? quantity(cur, 'value') : '<unknown>'}/${quantity(target, 'value')}`;
    default: {
      const resource = str(spec, sourceKey, 'name');
      if (has(target, 'averageValue')) return `${resource}: ${cur ? quantity(cur, 'averageValue') : '<unknown>'}/${quantity(target, 'averageValue')}`;
      const current = cur && typeof at(cur, 'averageUtilization') === 'number' ? pct(at(cur, 'averageUtilization')) : '<unknown>';
      const want = typeof at(target, 'averageUtilization') === 'number' ? pct(at(target, 'averageUtilization')) : '<auto>';
      return `${resource}: ${current}/${want}`;
    }
  }
}

/** formatHPAMetrics: the first two metrics, then "+ N more...". */
export function formatHPAMetrics(hpa: unknown): string {
  const { specs, statuses } = metricsOf(hpa);
  if (specs.length === 0) return '<none>';
  const all = specs.map((s, i) => formatMetric(s, statuses[i]));
  return all.length > 2 ? `${all.slice(0, 2).join(', ')} + ${all.length - 2} more...` : all.join(', ');
}

export const horizontalPodAutoscalerPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Reference', 'scaleTargetRef points to the target resource to scale.'),
    column('Targets', 'metrics contains the specifications for which to use to calculate the desired replica count.'),
    column('MinPods', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    column('MaxPods', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    column('Replicas', 'currentReplicas is current number of replicas of pods managed by this autoscaler.'),
    ageColumn(),
  ],
  row(hpa, now) {
    const minPods = typeof at(hpa, 'spec', 'minReplicas') === 'number' ? String(int(hpa, 'spec', 'minReplicas')) : '<unset>';
    const reference = `${str(hpa, 'spec', 'scaleTargetRef', 'kind')}/${str(hpa, 'spec', 'scaleTargetRef', 'name')}`;
    return [str(hpa, 'metadata', 'name'), reference, formatHPAMetrics(hpa), minPods, int(hpa, 'spec', 'maxReplicas'), int(hpa, 'status', 'currentReplicas'), age(hpa, now)];
  },
};
