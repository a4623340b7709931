// `kts server`: brings up the control plane step by step — data dir, TLS, datastore, API server,
// bootstrap objects, kubeconfig, controllers — logging one line per step, until the signal aborts.
import { mkdirSync, existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../util/log.js';
import { writeFileAtomic } from '../util/fs.js';
import { openSqliteBackend } from '../storage/sqlite.js';
import type { Backend } from '../storage/backend.js';
import { startApiServer } from '../apiserver/server.js';
import { parseTokenFile } from '../apiserver/token-file.js';
import type { TokenEntry } from '../apiserver/authn.js';
import { Worker } from 'node:worker_threads';
import type { ControlLoopsConfig } from './control-loops.js';
import { ensurePki, caCertHash, signClientCert, signServingCert } from './pki.js';
import type { Pki } from './pki.js';
import { renderKubeconfig } from './kubeconfig.js';
import { bootstrapCluster } from './bootstrap.js';
import { apiserverEndpoints } from './apiserver-endpoints.js';
import { bootstrapRbac } from './rbac-bootstrap.js';
import { ensureComponentCerts } from './component-identities.js';
import type { ComponentCerts } from './component-identities.js';
import { NODE_AGENT_GROUP, NODE_TOKEN_USER_NAME } from '../apiserver/authz/policy/identities.js';
import { bootstrapLocalStorage } from './local-storage.js';
import { bootstrapIngressClass, runIngress } from './ingress.js';
import { startClusterDns } from './cluster-dns.js';
import { startServiceLb } from './service-lb.js';
import { startCertificateControllers } from './certificates.js';
import { rbacApprovalCheck } from './certificate-approval.js';
import { ensureServiceAccountKey } from './service-account-key.js';
import type { ServerConfig } from './config.js';
import { kubernetesServiceIp } from './config.js';
import { labelServerNode, serverRoleLabels } from './node-roles.js';
import { versionInfo } from './version.js';
import { encryptRemaining, secretsEncryptionRoutes, setUpSecretsEncryption } from './secrets-encryption.js';
import { startAuditLog } from './audit-log.js';
import { startCertificateReload } from './cert-reload.js';
import { hardenServerFiles } from './file-modes.js';
import type { Sans } from './pki.js';
import { etcdDataDir, hasEtcdMember, startEmbeddedEtcd, url as etcdUrl } from './etcd/embedded-etcd.js';
import type { EmbeddedEtcd } from './etcd/embedded-etcd.js';
import { fetchServerBootstrap, serverBootstrapRoute } from './etcd/server-join.js';
import { migrateSqliteToEtcd, sqliteDatabasePath } from './etcd/migrate.js';
import { runSnapshotSchedule } from './etcd/snapshot-schedule.js';
import { restoreSnapshotIntoMember } from './etcd/cluster-reset.js';
import { removeMembersOfDeletedNodes } from './etcd/member-removal.js';
import { EtcdClient } from '../storage/etcd-client.js';
import { bumpRevisionAndCompact } from '../storage/etcd-revision-bump.js';
import { parseSchedule } from '../controllers/cronjob/cron-schedule.js';

/** Who the server's node-token authenticates as: a bootstrapper, so agents get their own certificates. */
// A join credential (as a bootstrap token), and what simulated agents without certificates of their
// own use for every request: system:kts:node-agents may play the kubelet of any node (RBAC role
// system:kts:node-agent).
export const NODE_TOKEN_USER = { name: NODE_TOKEN_USER_NAME, groups: ['system:bootstrappers', NODE_AGENT_GROUP] };

export interface RunningServer {
  port: number;
  kubeconfigPath: string;
  done: Promise<void>;
}

export async function runServer(cfg: ServerConfig, log: Logger, signal: AbortSignal): Promise<RunningServer> {
  const t0 = Date.now();
  const step = (msg: string) => log.info(`${msg} (+${Date.now() - t0} ms)`);
  const serverDir = join(cfg.dataDir, 'server');
  mkdirSync(serverDir, { recursive: true, mode: 0o700 });
  step(`data dir ${cfg.dataDir}`);

  // A joining server takes the cluster's CAs, keys and node token before making any of its own.
  const ee = cfg.embeddedEtcd;
  const joinEndpoints = ee.join && !hasEtcdMember(serverDir) ? await fetchServerBootstrap(serverDir, ee.join, log) : undefined;
  const sans = { dns: ['localhost', hostname(), `kubernetes.default.svc.${cfg.dns.domain}`, ...cfg.tlsSans.filter((s) => !isIp(s))], ips: ['127.0.0.1', '::1', cfg.advertiseAddress, kubernetesServiceIp(cfg.serviceCidr), ...cfg.tlsSans.filter(isIp)] };
  const pki = await ensurePki(join(serverDir, 'tls'), { sans, log: (m) => log.info(m) });
  const serviceAccountKey = await ensureServiceAccountKey(join(serverDir, 'tls'));
  const certs = await ensureComponentCerts(join(serverDir, 'tls'), { certPem: pki.clientCaCertPem, keyPem: pki.clientCaKeyPem }, (m) => log.info(m), { kubeProxy: !!cfg.agent && !cfg.agent.disableKubeProxy });
  step(`TLS certificates ready in ${join(serverDir, 'tls')}`);
  for (const p of await hardenServerFiles(serverDir)) log.warn(`tightened the permissions of ${p}`);

  const tokenPath = join(serverDir, 'node-token');
  let nodeToken: string;
  if (existsSync(tokenPath)) nodeToken = readFileSync(tokenPath, 'utf8').trim();
  else {
    const secret = cfg.token ?? randomBytes(16).toString('hex');
    nodeToken = `K10${caCertHash(pki.caCertPem).replace(/^sha256:/, '')}::server:${secret}`;
    await writeFileAtomic(tokenPath, nodeToken + '\n', 0o600);
  }
  const tokenSecret = nodeToken.includes('::server:') ? nodeToken.split('::server:')[1]! : nodeToken;

  const { store, description, etcd, shared } = await openDatastore(cfg, serverDir, sans, joinEndpoints, log, signal);
  step(`datastore: ${description} (revision ${await store.currentRevision()})`);
  const encryption = await setUpSecretsEncryption(cfg.dataDir, cfg.security?.secretsEncryption ?? false, store, log.child('secrets-encryption'));
  const backend = encryption?.backend ?? store;
  if (encryption?.enabled) {
    await encryptRemaining(encryption, log);
    step(`secrets encryption at rest on (${encryption.configPath})`);
  }
  const audit = await startAuditLog(cfg.security?.audit, log.child('audit'));
  if (audit) step(`audit log: ${cfg.security!.audit!.path}`);

  // Static bearer tokens (--token-auth-file), read once at start as upstream does.
  let staticTokens: TokenEntry[] = [];
  if (cfg.tokenAuthFile) {
    let text: string;
    try {
      text = readFileSync(cfg.tokenAuthFile, 'utf8');
    } catch (e) {
      throw new Error(`--token-auth-file: cannot read ${cfg.tokenAuthFile}: ${(e as Error).message}`, { cause: e });
    }
    staticTokens = parseTokenFile(text, cfg.tokenAuthFile, (m) => log.warn(m));
    step(`${staticTokens.length} static token(s) from ${cfg.tokenAuthFile}`);
  }
  const api = await startApiServer(
    {
      bindAddress: cfg.bindAddress,
      port: cfg.httpsPort,
      // The chain includes the CA, so joining agents can check it against the token's CA hash.
      tls: { certPem: pki.serverCertPem + pki.caCertPem, keyPem: pki.serverKeyPem, clientCaPem: pki.clientCaCertPem },
      serviceCidr: cfg.serviceCidr,
      nodePortRange: cfg.nodePortRange,
      tokens: [
        // The node token is a join credential (as a bootstrap token): agents exchange it for their own certificate.
        { token: nodeToken, user: NODE_TOKEN_USER },
        { token: tokenSecret, user: NODE_TOKEN_USER },
        ...staticTokens,
      ],
      version: versionInfo(),
      serviceAccountKey,
      // The kubelets' serving certificates are not verified, as upstream without --kubelet-certificate-authority.
      kubeletClient: { certPem: pki.kubeletClientCertPem, keyPem: pki.kubeletClientKeyPem, defaultPort: 10250 },
      audit: audit?.auditor,
      podSecurity: cfg.security?.podSecurity,
      maxRequestsInflight: cfg.maxRequestsInflight,
      // On etcd other servers may share the datastore (SQLite is one server's, locked to it).
      sharedDatastore: shared,
      extraRoutes: chainRoutes(secretsEncryptionRoutes(encryption), serverBootstrapRoute(serverDir, nodeToken, etcd?.advertiseClientUrl)),
    },
    backend,
    log.child('apiserver'),
    signal,
  );
  const url = `https://${cfg.advertiseAddress.includes(':') ? `[${cfg.advertiseAddress}]` : cfg.advertiseAddress}:${api.port}`;
  step(`API server listening on https://${cfg.bindAddress}:${api.port}, advertised to pods and agents as ${url}`);

  const created = await bootstrapCluster(api.stores, { port: api.port, serviceIp: api.allocations.ips.nth(1), clientCaPem: pki.clientCaCertPem });
  // This server among the `kubernetes` Service's endpoints (with every other live one).
  const endpoints = apiserverEndpoints(api.stores, { ip: cfg.advertiseAddress, port: api.port }, log.child('endpoints'));
  await endpoints.reconcile();
  const rbac = await bootstrapRbac(api.stores);
  if (rbac.length) step(`RBAC default policy: ${rbac.length} object(s) created or reconciled`);
  // k3s's local-storage add-on; `--disable local-storage` leaves it out.
  if (!cfg.disable.includes('local-storage')) created.push(...(await bootstrapLocalStorage(api.stores, join(cfg.dataDir, 'storage'))));
  if (!cfg.disable.includes('ingress')) created.push(...(await bootstrapIngressClass(api.stores)));
  step(created.length ? `bootstrapped ${created.join(', ')}` : 'cluster objects present');

  const kubeconfigPath = join(cfg.dataDir, 'admin.kubeconfig');
  const writeKubeconfigs = async (p: Pki) => {
    const kubeconfig = renderKubeconfig({ server: url.replace(cfg.advertiseAddress, '127.0.0.1'), caPem: p.caCertPem, clientCertPem: p.adminCertPem, clientKeyPem: p.adminKeyPem });
    await writeFileAtomic(kubeconfigPath, kubeconfig, 0o600);
    if (cfg.writeKubeconfig) {
      mkdirSync(dirname(cfg.writeKubeconfig), { recursive: true });
      await writeFileAtomic(cfg.writeKubeconfig, kubeconfig, cfg.writeKubeconfigMode ?? 0o600);
    }
  };
  await writeKubeconfigs(pki);
  startCertificateReload(join(serverDir, 'tls'), sans, pki, { reloadServing: api.reloadTls, adminChanged: writeKubeconfigs }, log.child('certificates'), signal);
  step(`admin kubeconfig written to ${cfg.writeKubeconfig ?? kubeconfigPath}`);

  const loops: ControlLoopsConfig = { server: `https://127.0.0.1:${api.port}`, caPem: pki.caCertPem, controllerManager: certs.controllerManager, scheduler: certs.scheduler, localPathProvisioner: certs.localPathProvisioner, clusterCidr: cfg.clusterCidr, serviceCidr: cfg.serviceCidr, logLevel: cfg.logLevel, localPathStorageDir: join(cfg.dataDir, 'storage') };
  const controllers = [startControlLoops(loops, signal), endpoints.run(signal)];
  if (etcd && ee.snapshots) {
    // k3s's cron runs in the host's zone; the CronJob parser's default is UTC.
    const schedule = parseSchedule(ee.snapshots.cron, Intl.DateTimeFormat().resolvedOptions().timeZone);
    controllers.push(runSnapshotSchedule({ serverDir, schedule, cron: ee.snapshots.cron, retention: ee.snapshots.retention, log: log.child('etcd-snapshot'), signal }));
  }
  if (etcd) {
    // `kubectl delete node` of a server gone for good removes its etcd member, as in k3s.
    const etcdClient = new EtcdClient({ endpoints: [etcd.endpoint], tls: etcd.tls });
    controllers.push(removeMembersOfDeletedNodes({ cache: api.cache, nodesPrefix: api.stores.get('/nodes')!.prefix, client: etcdClient, self: etcd.name, log: log.child('etcd'), signal }).finally(() => etcdClient.close()));
  }
  step('controller manager and scheduler started (worker thread)');
  log.info(`kts server is ready in ${Date.now() - t0} ms; use: KUBECONFIG=${cfg.writeKubeconfig ?? kubeconfigPath} kubectl get nodes`);
  if (cfg.agent && !cfg.disable.includes('ingress')) {
    const c = { server: `https://127.0.0.1:${api.port}`, caPem: pki.caCertPem, ...certs.ingress };
    controllers.push(runIngress({ ...c, nodeIp: cfg.agent.nodeIp, httpPort: cfg.ingressHttpPort, httpsPort: cfg.ingressHttpsPort, dataPlane: cfg.ingressProxy, stateDir: join(cfg.dataDir, 'agent', 'ingress') }, cfg.logLevel, log.child('ingress'), signal));
  }
  // k3s's CoreDNS add-on, answered in-process; `--disable coredns` leaves it out.
  if (!cfg.disable.includes('coredns')) controllers.push(startClusterDns({ server: `https://127.0.0.1:${api.port}`, caPem: pki.caCertPem, ...certs.dns }, cfg, log.child('dns'), signal));
  // k3s's ServiceLB: LoadBalancer Services get the nodes' addresses; `--disable servicelb` leaves them pending.
  if (!cfg.disable.includes('servicelb')) controllers.push(startServiceLb({ server: `https://127.0.0.1:${api.port}`, caPem: pki.caCertPem, ...certs.serviceLb }, log.child('servicelb'), signal));
  // CSR approval and signing need the CA keys, so they run here rather than in the controllers' worker.
  // Its own identity; whether a requester may have a node certificate approved is RBAC's answer.
  controllers.push(startCertificateControllers({ server: `https://127.0.0.1:${api.port}`, caPem: pki.caCertPem, ...certs.certificateController }, pki, log.child('certificates'), signal, rbacApprovalCheck(api.authorization)));
  if (cfg.agent) {
    controllers.push(startAgent(cfg.agent, `https://127.0.0.1:${api.port}`, pki, certs, log.child('agent'), signal));
    controllers.push(labelServerNode(api.stores.get('/nodes')!, cfg.agent.nodeName, serverRoleLabels(!!etcd), log, signal));
  }

  const done = (async () => {
    await api.done;
    await Promise.allSettled(controllers);
    await backend.close();
    await etcd?.done;
    await audit?.close();
    log.info('kts server stopped');
  })();
  return { port: api.port, kubeconfigPath: cfg.writeKubeconfig ?? kubeconfigPath, done };
}

/**
 * The datastore the flags chose: the embedded SQLite in `<data-dir>/server/db` (default), an
 * external etcd (`--datastore-endpoint=https://…`), compacted every 5 minutes as upstream does, or
 * the embedded etcd (--cluster-init, joining with --server, or a data dir that holds a member).
 */
async function openDatastore(cfg: ServerConfig, serverDir: string, sans: Sans, joinEndpoints: string[] | undefined, log: Logger, signal: AbortSignal): Promise<{ store: Backend; description: string; shared: boolean; etcd?: EmbeddedEtcd }> {
  const ds = cfg.datastore;
  const ee = cfg.embeddedEtcd;
  if (ds.kind === 'sqlite' && (ee.clusterInit || ee.join || ee.clusterReset || hasEtcdMember(serverDir))) {
    if (!ee.clusterInit && !ee.join && !ee.clusterReset) log.info(`${etcdDataDir(serverDir)} holds an etcd member: starting the embedded etcd`);
    const name = cfg.nodeName ?? cfg.agent?.nodeName ?? hostname().toLowerCase();
    const restorePath = ee.clusterReset?.restorePath;
    const restored = restorePath ? await restoreSnapshotIntoMember({ serverDir, snapshot: restorePath, name, peerUrl: etcdUrl(cfg.advertiseAddress, ee.peerPort), log }) : undefined;
    if (restored) {
      const prev = restored.keptAs ? `; the previous member data (revision ${restored.previousRevision ?? 'unknown'}) is kept as ${restored.keptAs}` : '';
      log.warn(`cluster reset: restored ${restored.snapshot} (revision ${restored.snapshotRevision}) as a new one-member etcd cluster${prev}; other servers must rejoin with fresh data dirs`);
    }
    const forceNewCluster = !!ee.clusterReset && !restorePath;
    const etcd = await startEmbeddedEtcd({ serverDir, advertiseAddress: cfg.advertiseAddress, clientPort: ee.clientPort, peerPort: ee.peerPort, name, sans, join: joinEndpoints && { endpoints: joinEndpoints }, forceNewCluster, log: log.child('etcd'), signal });
    if (restored) {
      // etcd 3.4 has no --bump-revision: resourceVersions from after the snapshot must get 410, not silence.
      const client = new EtcdClient({ endpoints: [etcd.endpoint], tls: etcd.tls });
      try {
        const b = await bumpRevisionAndCompact(client, restored.bumpTo, signal);
        log.info(`cluster reset: revision raised from ${b.from} to ${b.revision} (above the previous member's) and compacted below it in ${b.ms} ms: clients holding older resourceVersions get 410 Expired and relist`);
      } finally {
        client.close();
      }
    }
    // k3s's migration: a SQLite datastore moves into the new cluster's etcd (not into a joined one).
    if (ee.clusterInit && existsSync(sqliteDatabasePath(serverDir))) {
      log.info(`moving the SQLite datastore ${sqliteDatabasePath(serverDir)} into etcd`);
      const moved = await migrateSqliteToEtcd(serverDir, { endpoints: [etcd.endpoint], tls: etcd.tls });
      if (moved) log.info(`migrated ${moved.keys} object(s) from SQLite into etcd; the database was renamed to ${moved.movedTo}`);
    }
    const { openEtcdBackend } = await import('../storage/etcd.js');
    const store = await openEtcdBackend({ endpoints: [etcd.endpoint], tls: etcd.tls, signal, log: log.child('etcd') });
    return { store, description: `embedded etcd ${store.info.version} at ${etcd.endpoint}`, shared: true, etcd };
  }
  if (ds.kind === 'etcd') {
    const read = (flag: string, file?: string) => {
      if (!file) return undefined;
      try {
        return readFileSync(file, 'utf8');
      } catch (e) {
        throw new Error(`--${flag}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
      }
    };
    const tls = { caPem: read('datastore-cafile', ds.caFile), certPem: read('datastore-certfile', ds.certFile), keyPem: read('datastore-keyfile', ds.keyFile) };
    // Imported here: a server on SQLite does not load gRPC.
    const { openEtcdBackend } = await import('../storage/etcd.js');
    const store = await openEtcdBackend({ endpoints: ds.endpoints, tls, signal, log: log.child('etcd') });
    return { store, description: `etcd ${store.info.version} at ${ds.endpoints.join(',')}`, shared: true };
  }
  const dbDir = join(serverDir, 'db');
  mkdirSync(dbDir, { recursive: true, mode: 0o700 });
  return { store: await openSqliteBackend(dbDir, { signal }), description: `SQLite at ${join(dbDir, 'state.db')}`, shared: false };
}

/**
 * Runs the node agent in-process (as k3s does), talking to the API server over loopback with its
 * own node identity (system:node:<name> in system:nodes). A failure to start (not root, no
 * containerd) is reported and leaves the control plane serving.
 */
async function startAgent(agentCfg: NonNullable<ServerConfig['agent']>, server: string, pki: Pki, certs: ComponentCerts, log: Logger, signal: AbortSignal): Promise<void> {
  try {
    // Imported lazily: a control plane without an agent does not load gRPC and the kubelet.
    const [{ runNodeAgent }, { RestClient }] = await Promise.all([import('../agent/node-agent.js'), import('../client/rest-client.js')]);
    const cert = signClientCert({ certPem: pki.clientCaCertPem, keyPem: pki.clientCaKeyPem }, { cn: `system:node:${agentCfg.nodeName}`, o: ['system:nodes'] }, 365);
    const client = new RestClient({ server, caPem: pki.caCertPem, certPem: cert.certPem, keyPem: cert.keyPem, userAgent: `kubelet/${versionInfo().gitVersion}` });
    // Its kubelet serves with a certificate from the server CA, as joined agents get through CSRs.
    const serving = signServingCert({ certPem: pki.caCertPem, keyPem: pki.caKeyPem }, `system:node:${agentCfg.nodeName}`, { dns: [...new Set([agentCfg.nodeName, hostname().toLowerCase()])], ips: [agentCfg.nodeIp] }, 365);
    // kube-proxy has its own identity (system:kube-proxy), as upstream's.
    const proxyClient = certs.kubeProxy && new RestClient({ server, caPem: pki.caCertPem, ...certs.kubeProxy, userAgent: `kube-proxy/${versionInfo().gitVersion}` });
    const agent = await runNodeAgent(agentCfg, client, { clientCaPem: pki.clientCaCertPem, version: versionInfo().gitVersion, serving, proxyClient }, log, signal);
    await agent.done;
    client.close();
    proxyClient?.close();
  } catch (e) {
    if (signal.aborted) return;
    const hint = process.getuid?.() === 0 ? '' : ' (the node agent needs root; use --disable-agent for a control plane only)';
    log.error(`the node agent failed: ${(e as Error).message}${hint}`);
  }
}

/**
 * Runs the control loops in a worker thread (compiled build), so they get their own core; under
 * tsx (tests running sources) in-process. Resolves when they have stopped.
 */
function startControlLoops(cfg: ControlLoopsConfig, signal: AbortSignal): Promise<void> {
  // Imported lazily: the API server's thread should not load the controllers' code at all.
  if (new URL(import.meta.url).pathname.endsWith('.ts')) return import('./control-loops.js').then((m) => m.runControlLoops(cfg, signal));
  // A smaller young generation than V8's default keeps the worker's idle footprint small.
  const worker = new Worker(new URL('./control-loops-worker.js', import.meta.url), { workerData: cfg, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  return new Promise<void>((resolve) => {
    const stop = () => {
      worker.postMessage('stop');
      // Watches end promptly on abort; don't wait forever for a stuck loop.
      setTimeout(() => void worker.terminate(), 5000).unref();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    worker.on('message', (m) => m === 'stopped' && void worker.terminate());
    worker.on('error', (e) => process.stderr.write(`control loops worker: ${e.stack ?? e}\n`));
    worker.on('exit', () => resolve());
  });
}

type Route = NonNullable<Parameters<typeof startApiServer>[0]['extraRoutes']>;
/** kts's own routes on the API port, tried in order until one handles the path. */
function chainRoutes(...routes: Route[]): Route {
  return async (...args) => {
    for (const r of routes) if (await r(...args)) return true;
    return false;
  };
}

function isIp(s: string): boolean {
  return /^[0-9.]+$/.test(s) || s.includes(':');
}
