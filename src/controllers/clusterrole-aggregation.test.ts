import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/types.js';
import { aggregatedRules } from './clusterrole-aggregation.js';

const role = (name: string, labels: Record<string, string>, rules: unknown[], aggregateFrom?: string): KObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules,
  ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`x/aggregate-to-${aggregateFrom}`]: 'true' } }] } } : {}),
});
const r = (verb: string) => ({ verbs: [verb], apiGroups: [''], resources: ['pods'] });

test('rules of matching roles, in name order, without duplicates or itself', () => {
  const view = role('view', { 'x/aggregate-to-edit': 'true' }, [], 'view');
  const all = [
    view,
    role('b-view', { 'x/aggregate-to-view': 'true' }, [r('list'), r('get')]),
    role('a-view', { 'x/aggregate-to-view': 'true' }, [r('get')]),
    role('other', {}, [r('delete')]),
  ];
  assert.deepEqual(aggregatedRules(view, all), [r('get'), r('list')]);
  assert.equal(aggregatedRules(all[1]!, all), undefined);
});

test('an aggregated role feeds the next level (edit gathers view)', () => {
  const view = role('view', { 'x/aggregate-to-edit': 'true' }, [r('get')], 'view');
  const edit = role('edit', {}, [], 'edit');
  assert.deepEqual(aggregatedRules(edit, [view, edit, role('e', { 'x/aggregate-to-edit': 'true' }, [r('create')])]), [r('create'), r('get')]);
});
