// k3s's way to take a server out of an embedded-etcd cluster for good: delete its Node. Servers
// name their etcd member after their node (--node-name, else the host name), so when a Node is
// deleted and a member of that name exists, the member is removed and the cluster's quorum stops
// counting a server that is gone. Every server follows Node deletions; the first removal wins and
// the others find no member. A server's own member is left alone (it would stop its own etcd):
// the log says to delete that node from another server.
import type { WatchCache } from '../../apiserver/watch-cache.js';
import type { EtcdClient } from '../../storage/etcd-client.js';
import type { Logger } from '../../util/log.js';

export interface MemberRemovalOptions {
  cache: WatchCache;
  /** The storage prefix of Node objects (the nodes store's). */
  nodesPrefix: string;
  client: EtcdClient;
  /** This server's member name. */
  self: string;
  log: Logger;
  signal: AbortSignal;
}

/** Follows Node deletions until the signal aborts; resolves then. */
export function removeMembersOfDeletedNodes(o: MemberRemovalOptions): Promise<void> {
  let chain = Promise.resolve();
  const remove = async (name: string) => {
    if (name === o.self) {
      o.log.warn(`node ${name} (this server) was deleted; its etcd member stays: to take this server out of the cluster, stop it and delete its node again from another server`);
      return;
    }
    try {
      const member = (await o.client.memberList()).find((m) => m.name === name);
      if (!member) return;
      await o.client.memberRemove(member.ID);
      o.log.info(`etcd: removed member ${name} (${member.peerURLs.join(',')}): its node was deleted`);
    } catch (e) {
      const msg = (e as Error).message;
      if (!/member not found/i.test(msg)) o.log.warn(`etcd: removing the member of deleted node ${name}: ${msg}`);
    }
  };
  const sub = o.cache.subscribe(o.nodesPrefix, o.cache.revision, (events) => {
    for (const e of events) {
      // One removal at a time, in the order the nodes went.
      if (e.type === 'delete') chain = chain.then(() => remove(e.key.slice(o.nodesPrefix.length)));
    }
  });
  if (!sub) return Promise.reject(new Error('etcd member removal: cannot follow nodes'));
  return new Promise((resolve) => {
    const stop = () => {
      sub.cancel();
      void chain.then(resolve);
    };
    if (o.signal.aborted) stop();
    else o.signal.addEventListener('abort', stop, { once: true });
  });
}
