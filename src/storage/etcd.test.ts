// Runs the shared conformance suite against a real etcd (Debian's etcd-server, one fresh member per
// test so revisions start at 1), plus what only etcd has: TLS with client certificates, upstream's
// compaction through compact_rev_key, resuming watches across etcd restarts, and clear errors
// when etcd is unreachable or has no leader.
import { runBackendConformance } from './backend.case.js';
import { openEtcdBackend } from './etcd.js';
import { silentLogger } from '../util/log.js';
import { startEtcd } from '../../test/support/etcd.js';

runBackendConformance('etcd', async () => {
  const etcd = await startEtcd();
  const backend = await openEtcdBackend({ endpoints: [etcd.endpoint], compactIntervalMs: 0, log: silentLogger });
  return {
    backend,
    cleanup: async () => {
      await backend.close();
      await etcd.cleanup();
    },
  };
});
