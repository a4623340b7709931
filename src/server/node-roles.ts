// The roles k3s gives a server's own node: the labels `node-role.kubernetes.io/control-plane` and
// `node-role.kubernetes.io/master` ("true"), and `node-role.kubernetes.io/etcd` when the server runs
// an etcd member, so `kubectl get nodes` shows them under ROLES. A kubelet may not set node-role
// labels on its own Node (upstream's NodeRestriction), so the server adds them once its in-process
// agent has registered the node, and again on every start (a user's removal lasts until then).
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Store } from '../apiserver/registry/store.js';
import type { Logger } from '../util/log.js';
import { sleep } from '../util/sleep.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const SYSTEM = { name: 'system:apiserver', groups: ['system:masters'] };

/** The role labels of a server's node. */
export function serverRoleLabels(etcd: boolean): Record<string, string> {
  const roles = ['control-plane', 'master', ...(etcd ? ['etcd'] : [])];
  return Object.fromEntries(roles.map((r) => [ROLE_PREFIX + r, 'true']));
}

/** Waits for node `name` to exist, then makes sure it carries `labels`; returns when done or aborted. */
export async function labelServerNode(nodes: Store, name: string, labels: Record<string, string>, log: Logger, signal: AbortSignal, pollMs = 1000): Promise<void> {
  const missing = (n: KObject) => Object.entries(labels).some(([k, v]) => n.metadata.labels?.[k] !== v);
  while (!signal.aborted) {
    try {
      const node = await nodes.tryGet('', name);
      if (node && !missing(node)) return;
      if (node) {
        await nodes.guaranteedUpdate('', name, (cur) => {
          cur.metadata.labels = { ...cur.metadata.labels, ...labels };
          return cur;
        }, { user: SYSTEM, dryRun: false, warnings: [] });
        log.info(`node ${name}: roles ${Object.keys(labels).map((k) => k.slice(ROLE_PREFIX.length)).join(', ')}`);
        return;
      }
    } catch (e) {
      // Deleted or changed meanwhile: look again; anything else is worth a line.
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) log.warn(`node ${name}: adding role labels: ${(e as Error).message}`);
    }
    await sleep(pollMs, signal);
  }
}
