// The ClusterRole aggregation controller (upstream's clusterrole-aggregation): a ClusterRole with
// an aggregationRule gets, as its rules, the rules of every other ClusterRole its selectors match
// (in name order, duplicates dropped). Any ClusterRole change re-queues every aggregating role,
// since a label change can move a role into or out of a selector. Keys are role names.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { selectorFromLabelSelector, type LabelSelectorSpec } from '../api/selectors/label-selector.js';
import { resourcePath } from '../client/rest-client.js';
import { Controller } from '../client/controller.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { waitForCacheSync } from './util/sync.js';

const GROUP = 'rbac.authorization.k8s.io';

/** The rules an aggregating role should have, given all cluster roles; undefined when it does not aggregate. */
export function aggregatedRules(role: KObject, all: readonly KObject[]): unknown[] | undefined {
  const selectors = (role.aggregationRule as { clusterRoleSelectors?: LabelSelectorSpec[] } | undefined)?.clusterRoleSelectors;
  if (!selectors) return undefined;
  const matchers = selectors.map((s) => selectorFromLabelSelector(s));
  const out: unknown[] = [];
  const seen = new Set<string>();
  const sorted = [...all].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  for (const other of sorted) {
    if (other.metadata.name === role.metadata.name) continue;
    if (!matchers.some((m) => m.matches(other.metadata.labels))) continue;
    for (const r of (other.rules ?? []) as unknown[]) {
      const key = JSON.stringify(r);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}

export const clusterRoleAggregationController: ControllerDef = {
  name: 'clusterrole-aggregation',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const roles = ctx.informers.informer(GROUP, 'v1', 'clusterroles');
    const controller = new Controller({ name: 'clusterrole-aggregation', log: ctx.log, workers: 1 }, async (name) => {
      const role = roles.get('', name);
      if (!role) return;
      const want = aggregatedRules(role, roles.list());
      if (!want || JSON.stringify(want) === JSON.stringify(role.rules ?? [])) return;
      try {
        await ctx.client.update(resourcePath(GROUP, 'v1', 'clusterroles', undefined, name), { ...role, rules: want });
      } catch (e) {
        if (e instanceof StatusError && (e.code === 404 || e.code === 409)) {
          if (e.code === 409) controller.enqueue(name);
          return;
        }
        throw e;
      }
    });
    const requeueAggregators = () => {
      for (const r of roles.list()) if (r.aggregationRule) controller.enqueue(r.metadata.name!);
    };
    roles.addHandler({ onAdd: requeueAggregators, onUpdate: requeueAggregators, onDelete: requeueAggregators });
    if (!(await waitForCacheSync([roles], signal))) return;
    await controller.run(signal);
  },
};
