// rbac.authorization.k8s.io bindings: ROLE as "Kind/name", wide USERS, GROUPS, SERVICEACCOUNTS.
// Roles and cluster roles have no printer upstream and get the default NAME / CREATED AT table.

import { list, str } from './access.js';
import { age } from './format.js';
import { ageColumn, column, nameColumn, type TablePrinter } from './table.js';

/** rbac.SubjectsStrings: users, groups and "namespace/name" service accounts. */
export function subjectsStrings(binding: unknown): [string[], string[], string[]] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of list(binding, 'subjects')) {
    const kind = str(s, 'kind');
    if (kind === 'ServiceAccount') serviceAccounts.push(`${str(s, 'namespace')}/${str(s, 'name')}`);
    else if (kind === 'User') users.push(str(s, 'name'));
    else if (kind === 'Group') groups.push(str(s, 'name'));
  }
  return [users, groups, serviceAccounts];
}

function bindingPrinter(kind: 'roleBinding' | 'clusterRoleBinding'): TablePrinter {
  return {
    columns: [
      nameColumn(),
      column('Role', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
      ageColumn(),
      column('Users', `Users in the ${kind}`, { priority: 1 }),
      column('Groups', `Groups in the ${kind}`, { priority: 1 }),
      column('ServiceAccounts', `ServiceAccounts in the ${kind}`, { priority: 1 }),
    ],
    row(b, now) {
      const [users, groups, sas] = subjectsStrings(b);
      return [str(b, 'metadata', 'name'), `${str(b, 'roleRef', 'kind')}/${str(b, 'roleRef', 'name')}`, age(b, now), users.join(', '), groups.join(', '), sas.join(', ')];
    },
  };
}

export const roleBindingPrinter = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding');
