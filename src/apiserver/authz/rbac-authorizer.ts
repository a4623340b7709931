// The RBAC authorizer: allows a request when any rule reachable from a binding naming the user (or
// one of its groups, or its service account) allows it; otherwise no opinion, with upstream's
// `RBAC: …` reason when a binding points at a role that does not exist.
import type { Attributes, Authorizer, AuthorizerResult, PolicyRule, UserInfo } from './types.js';
import { ruleAllows } from './rules.js';
import type { BindingEntry, RbacIndex, Subject } from './rbac-index.js';
import { subjectKey } from './rbac-index.js';

export class RbacAuthorizer implements Authorizer {
  constructor(private readonly index: RbacIndex) {}

  authorize(a: Attributes): AuthorizerResult {
    let allowedBy: BindingEntry | undefined;
    const errors: string[] = [];
    this.index.visitRules(a.user, a.namespace, (src, rule, err) => {
      if (err) errors.push(err);
      else if (rule && ruleAllows(a, rule)) allowedBy = src;
      return !allowedBy;
    });
    if (allowedBy) return { decision: 'allow', reason: `RBAC: allowed by ${describeBinding(allowedBy, a.user)}` };
    return { decision: 'noOpinion', reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
  }

  /** Every rule that applies to the user in the namespace, and the errors met (rules reviews, escalation checks). */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.index.visitRules(user, namespace, (_src, rule, err) => {
      if (err) errors.push(err);
      else if (rule) rules.push(rule);
      return true;
    });
    return { rules, errors };
  }
}

/** utilerrors.NewAggregate's text: one error as is, several in brackets. */
export function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}

/** Upstream's describers: `RoleBinding "name/namespace" of ClusterRole "edit" to User "alice"`. */
export function describeBinding(b: BindingEntry, user: UserInfo): string {
  const keys = new Set([`u:${user.name}`, ...user.groups.map((g) => `g:${g}`)]);
  const s = b.subjects.find((x) => keys.has(subjectKey(x, b.namespace) ?? ''));
  const who = s ? describeSubject(s, b.namespace) : '';
  const what = `${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${who}`;
  return b.namespace ? `RoleBinding ${JSON.stringify(`${b.name}/${b.namespace}`)} of ${what}` : `ClusterRoleBinding ${JSON.stringify(b.name)} of ${what}`;
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}
