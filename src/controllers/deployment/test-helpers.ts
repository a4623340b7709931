// Shared by the Deployment tests (not a test itself): a cluster running the ReplicaSet and
// Deployment controllers, readiness flipped through pods/status (no kubelet in tests), and
// kubectl's `rollout status` verdict computed from the status fields it reads.
import { startTestCluster, until } from '../../../test/support/cluster.js';
import type { TestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import { replicaSetController } from '../replicaset.js';
import type { Pod } from '../replicaset-pods.js';
import { isPodReady } from '../replicaset-pods.js';
import { deploymentController } from './controller.js';
import type { Deployment, ReplicaSet } from './util.js';

export const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';
export const RSS = '/apis/apps/v1/namespaces/default/replicasets';
export const PODS = '/api/v1/namespaces/default/pods';

export async function withCluster(fn: (c: TestCluster) => Promise<void>): Promise<void> {
  const c = await startTestCluster();
  try {
    const ctx = c.context();
    void replicaSetController.start(ctx, c.signal);
    void deploymentController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    await fn(c);
  } finally {
    await c.stop();
  }
}

/** Polls until fn returns a value (not undefined/false). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> {
  return (await until(fn, ms, what)) as T;
}

export function deployment(name: string, replicas: number, image: string, spec: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } }, ...spec },
  };
}

export async function pods(c: TestCluster, app: string): Promise<Pod[]> {
  return (await c.client.list<Pod>(`${PODS}?labelSelector=app%3D${app}`)).items.filter((p) => !p.metadata.deletionTimestamp);
}

export async function replicaSets(c: TestCluster, app: string): Promise<ReplicaSet[]> {
  return (await c.client.list<ReplicaSet>(`${RSS}?labelSelector=app%3D${app}`)).items;
}

export async function getDeployment(c: TestCluster, name: string): Promise<Deployment> {
  return c.client.get<Deployment>(`${DEPLOYS}/${name}`);
}

export async function setReady(c: TestCluster, pod: Pod): Promise<void> {
  const lastTransitionTime = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  await c.client.patch(`${PODS}/${pod.metadata.name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime }] } });
}

/** Marks up to `limit` not-ready pods of `app` ready; returns how many. */
export async function readyPods(c: TestCluster, app: string, limit = Infinity): Promise<number> {
  let n = 0;
  for (const p of await pods(c, app)) {
    if (n >= limit) break;
    if (isPodReady(p)) continue;
    await setReady(c, p);
    n++;
  }
  return n;
}

/** kubectl's DeploymentStatusViewer: [message, done]. */
export function rolloutStatus(d: Deployment): [string, boolean] {
  const st = d.status ?? {};
  const name = d.metadata.name;
  if ((d.metadata.generation ?? 0) > (st.observedGeneration ?? 0)) return ['Waiting for deployment spec update to be observed...', false];
  if (st.conditions?.find((x) => x.type === 'Progressing')?.reason === 'ProgressDeadlineExceeded') return [`deployment "${name}" exceeded its progress deadline`, false];
  const want = d.spec.replicas ?? 1;
  const updated = st.updatedReplicas ?? 0;
  if (updated < want) return [`Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...`, false];
  if ((st.replicas ?? 0) > updated) return [`Waiting for deployment "${name}" rollout to finish: ${(st.replicas ?? 0) - updated} old replicas are pending termination...`, false];
  if ((st.availableReplicas ?? 0) < updated) return [`Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas ?? 0} of ${updated} updated replicas are available...`, false];
  return [`deployment "${name}" successfully rolled out`, true];
}

/** Flips pods ready until `kubectl rollout status` would report success. */
export async function completeRollout(c: TestCluster, name: string): Promise<Deployment> {
  return eventually(async () => {
    await readyPods(c, name);
    const d = await getDeployment(c, name);
    return rolloutStatus(d)[1] ? d : undefined;
  }, `rollout of ${name}`);
}

export async function setImage(c: TestCluster, name: string, image: string, annotations?: Record<string, string>): Promise<void> {
  const d = await getDeployment(c, name);
  const template = structuredClone(d.spec.template!);
  (template.spec as { containers: { image: string }[] }).containers[0]!.image = image;
  await c.client.patch(`${DEPLOYS}/${name}`, { metadata: annotations ? { annotations } : undefined, spec: { template } });
}

export async function events(c: TestCluster, name: string): Promise<{ reason?: string; message?: string; type?: string }[]> {
  const ev = (await c.client.list('/api/v1/namespaces/default/events')).items as { reason?: string; message?: string; involvedObject?: { name?: string } }[];
  return ev.filter((e) => e.involvedObject?.name === name);
}
