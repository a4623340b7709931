// Defaults of admissionregistration.k8s.io/v1 webhook configurations (upstream
// pkg/apis/admissionregistration/v1/defaults.go). sideEffects and admissionReviewVersions have
// no default in v1: validation requires them.
import type { KObject } from '../types.js';
import { child, items, setDefault, type Obj } from './util.js';

function defaultWebhook(w: Obj, mutating: boolean): void {
  setDefault(w, 'failurePolicy', 'Fail');
  setDefault(w, 'matchPolicy', 'Equivalent');
  setDefault(w, 'namespaceSelector', {});
  setDefault(w, 'objectSelector', {});
  setDefault(w, 'timeoutSeconds', 10);
  if (mutating) setDefault(w, 'reinvocationPolicy', 'Never');
  for (const r of items(w, 'rules')) setDefault(r, 'scope', '*');
  const svc = child(child(w, 'clientConfig'), 'service');
  if (svc) setDefault(svc, 'port', 443);
}

export function defaultMutatingWebhookConfiguration(o: KObject): void {
  for (const w of items(o, 'webhooks')) defaultWebhook(w, true);
}

export function defaultValidatingWebhookConfiguration(o: KObject): void {
  for (const w of items(o, 'webhooks')) defaultWebhook(w, false);
}
