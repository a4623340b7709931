// An in-process test cluster for controller and scheduler tests: a real kts API server (memory
// storage, fresh TLS in a temp dir) on a random loopback port, an admin client, and a
// ControllerContext factory. Controllers under test are started explicitly by the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBackend } from '../../src/storage/memory.js';
import type { Backend } from '../../src/storage/backend.js';
import type { Store } from '../../src/apiserver/registry/store.js';
import type { WatchCache } from '../../src/apiserver/watch-cache.js';
import { startApiServer } from '../../src/apiserver/server.js';
import { ensurePki } from '../../src/server/pki.js';
import type { Pki } from '../../src/server/pki.js';
import { ensureServiceAccountKey } from '../../src/server/service-account-key.js';
import { bootstrapCluster } from '../../src/server/bootstrap.js';
import { bootstrapRbac } from '../../src/server/rbac-bootstrap.js';
import { versionInfo } from '../../src/server/version.js';
import { RestClient } from '../../src/client/rest-client.js';
import { InformerFactory } from '../../src/client/informer.js';
import { EventRecorder } from '../../src/client/events.js';
import { builtinResources } from '../../src/api/resources.js';
import { createLogger, silentLogger } from '../../src/util/log.js';
import type { ControllerContext } from '../../src/controllers/context.js';
import { defaultControllerConfig } from '../../src/controllers/context.js';

export interface TestCluster {
  client: RestClient;
  url: string;
  /** A fresh context (own informer factory) for starting controllers; call informers.start after. */
  context(overrides?: Partial<ControllerContext['config']>): ControllerContext;
  /** Aborts everything started with `signal` and stops the server. */
  stop(): Promise<void>;
  signal: AbortSignal;
  /** Admin credentials, for other clients (e.g. a simulated agent). */
  caPem: string;
  certPem: string;
  keyPem: string;
  /** The cluster's certificates and CA keys (for signers under test). */
  pki: Pki;
  /** Its storage (to start another API server on it). */
  backend: Backend;
  /** The API server's stores (for server-side components under test). */
  stores: Map<string, Store>;
  /** Its watch cache (for server-side followers under test). */
  cache: WatchCache;
}

/** `backend`: share another cluster's storage (several API servers on one datastore); it is not closed on stop. */
export async function startTestCluster(opts: { verbose?: boolean; backend?: Backend; sharedDatastore?: boolean } = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kts-test-cluster-'));
  const pki = await ensurePki(join(dir, 'tls'), { sans: { dns: ['localhost'], ips: ['127.0.0.1'] } });
  const ac = new AbortController();
  const log = opts.verbose ? createLogger({ level: 'debug' }) : silentLogger;
  const backend = opts.backend ?? createMemoryBackend();
  const api = await startApiServer(
    {
      bindAddress: '127.0.0.1',
      port: 0,
      tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, clientCaPem: pki.clientCaCertPem },
      serviceCidr: '10.43.0.0/16',
      nodePortRange: [30000, 32767],
      tokens: [],
      version: versionInfo(),
      serviceAccountKey: await ensureServiceAccountKey(join(dir, 'tls')),
      sharedDatastore: opts.sharedDatastore,
    },
    backend,
    log,
    ac.signal,
  );
  await bootstrapCluster(api.stores, { port: api.port, serviceIp: '10.43.0.1' });
  // The default RBAC policy, as `kts server` creates it (the admin client is in system:masters anyway).
  await bootstrapRbac(api.stores);
  const url = `https://127.0.0.1:${api.port}`;
  const client = new RestClient({ server: url, caPem: pki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem });
  return {
    client,
    url,
    signal: ac.signal,
    caPem: pki.caCertPem,
    certPem: pki.adminCertPem,
    keyPem: pki.adminKeyPem,
    pki,
    backend,
    stores: api.stores,
    cache: api.cache,
    context(overrides = {}) {
      const informers = new InformerFactory(client, { resyncMs: 0 });
      return {
        client,
        informers,
        recorder: new EventRecorder(client, { component: 'test' }),
        log,
        config: { ...defaultControllerConfig, ...overrides },
        resources: builtinResources,
      };
    },
    async stop() {
      ac.abort();
      await api.done;
      client.close();
      if (!opts.backend) await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { until } from './poll.js';
