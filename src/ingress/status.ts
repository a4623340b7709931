// status.loadBalancer.ingress of the Ingresses this controller serves: the node's IP, as
// ingress-nginx publishes its address. An Ingress that stops being ours (class changed) loses the
// address we set. Level-triggered per Ingress key through the shared reconcile loop.
import type { RestClient } from '../client/rest-client.js';
import { resourcePath } from '../client/rest-client.js';
import type { Informer } from '../client/informer.js';
import { splitKey } from '../client/informer.js';
import type { Ingress } from './match.js';

type LbIngress = { ip?: string; hostname?: string };
type WithStatus = Ingress & { status?: { loadBalancer?: { ingress?: LbIngress[] } } };

/** The status.loadBalancer.ingress to write, or undefined when it is right as it is. */
export function desiredAddresses(ing: WithStatus, ours: boolean, nodeIp: string): LbIngress[] | undefined {
  const cur = ing.status?.loadBalancer?.ingress ?? [];
  const mine = cur.length === 1 && cur[0]!.ip === nodeIp && !cur[0]!.hostname;
  if (ours) return mine ? undefined : [{ ip: nodeIp }];
  return mine ? [] : undefined;
}

export function statusReconciler(o: { client: RestClient; ingresses: Informer<WithStatus>; isOurs: (i: Ingress) => boolean; nodeIp: string }) {
  return async (key: string): Promise<void> => {
    const { namespace, name } = splitKey(key);
    const ing = o.ingresses.get(namespace, name);
    if (!ing) return;
    const want = desiredAddresses(ing, o.isOurs(ing), o.nodeIp);
    if (!want) return;
    await o.client.patch(resourcePath('networking.k8s.io', 'v1', 'ingresses', namespace, name, 'status'), { status: { loadBalancer: { ingress: want } } });
  };
}
