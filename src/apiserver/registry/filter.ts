// Builds the object filter for list and watch requests from labelSelector and fieldSelector.
import type { KObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { parseLabelSelector } from '../../api/selectors/label-selector.js';
import { parseFieldSelector, fieldGetter, validateFieldSelector } from '../../api/selectors/field-selector.js';

export type ObjectFilter = (obj: KObject) => boolean;

/**
 * `view` converts a stored object to the form the selectors are written against (the version the
 * client asked for; events.k8s.io events are stored as core Events).
 */
export function buildFilter(info: ResourceInfo, labelSelector: string | null, fieldSelector: string | null, view?: (obj: KObject) => KObject): ObjectFilter | undefined {
  const ls = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  let fs: ReturnType<typeof parseFieldSelector> | undefined;
  let getter: ReturnType<typeof fieldGetter> | undefined;
  if (fieldSelector) {
    fs = parseFieldSelector(fieldSelector);
    validateFieldSelector(fs, info.group, info.resource);
    getter = fieldGetter(info.group, info.resource);
  }
  const useLabels = ls && !ls.empty ? ls : undefined;
  if (!useLabels && !fs) return undefined;
  return (obj) => {
    if (useLabels && !useLabels.matches(obj.metadata.labels)) return false;
    if (fs && getter) {
      const g = getter;
      const o = view ? view(obj) : obj;
      if (!fs.matches((field) => g.get(o, field))) return false;
    }
    return true;
  };
}
