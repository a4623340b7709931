// Node selection rules shared by the scheduler and the DaemonSet controller (which decides where
// daemon pods belong): node selector requirements and tolerations against taints, as upstream's
// component-helpers/scheduling/corev1 and v1helper.

/** A NodeSelectorRequirement's operator applied to a node's label (or field) value. */
export function nodeRequirementMatches(r: { operator: string; values?: readonly string[] }, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      // Both sides must be integers (upstream parses them with strconv.ParseInt).
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0]!)) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(values[0]!, 10);
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

export interface TaintLike {
  key: string;
  value?: string;
  effect: string;
}

export interface TolerationLike {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** Whether a toleration tolerates a taint (empty effect: all effects; empty key with Exists: all keys). */
export function toleratesTaint(t: TolerationLike, taint: TaintLike): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}
