// Which Ingresses this controller serves, as upstream decides it: `spec.ingressClassName` naming
// an IngressClass whose `spec.controller` is ours; else the deprecated annotation
// `kubernetes.io/ingress.class` naming such a class; else (no class at all) when one of our
// classes is marked default with `ingressclass.kubernetes.io/is-default-class: "true"`.
import type { KObject } from '../api/types.js';
import type { Ingress } from './match.js';

export const INGRESS_CONTROLLER = 'kts.io/ingress';
export const DEFAULT_CLASS_NAME = 'kts';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export type IngressClass = KObject & { spec?: { controller?: string } };

/** The IngressClass the server creates at bootstrap (k3s makes `traefik` the default). */
export function defaultIngressClass(): IngressClass {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: DEFAULT_CLASS_NAME, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
    spec: { controller: INGRESS_CONTROLLER },
  };
}

export function isOurs(ing: Ingress, classes: readonly IngressClass[], controller = INGRESS_CONTROLLER): boolean {
  const ours = classes.filter((c) => c.spec?.controller === controller);
  const named = ing.spec?.ingressClassName ?? ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (named) return ours.some((c) => c.metadata.name === named);
  // Without a class (created before any default existed), the default class takes it — the newest
  // one if several, as the DefaultIngressClass admission picks.
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return defaults[0]?.spec?.controller === controller;
}
