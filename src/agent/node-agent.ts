// The real node agent: containerd (launched and supervised, or an existing CRI socket), the
// sandbox image and image archives, the kubelet's HTTPS endpoint, the kubelet itself, the CNI
// network once the node has a pod CIDR, and the local-path reclaimer. Used in-process by
// `kts server` and alone by `kts agent`. Stops everything (not the containers) on abort.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { KObject } from '../api/types.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { Informer } from '../client/informer.js';
import { CriClient } from '../kubelet/cri/client.js';
import { startContainerd } from '../kubelet/containerd/supervisor.js';
import { containerdPaths } from '../kubelet/containerd/paths.js';
import { ensurePauseImage, importArchiveFolder } from '../kubelet/images/import.js';
import { PAUSE_IMAGE } from '../kubelet/images/pause-image.js';
import { writeNodeCniConfig } from '../kubelet/cni/conflist.js';
import { startKubeletServer } from '../kubelet/http/server.js';
import { selfSignedServingCert } from '../kubelet/http/serving-cert.js';
import { runKubelet } from '../kubelet/kubelet.js';
import type { RunningKubelet } from '../kubelet/kubelet.js';
import { CriStreamingBackend } from '../kubelet/streaming-backend.js';
import type { StreamingBackend } from '../kubelet/http/backend.js';
import { CriImageService } from '../kubelet/images/image-service.js';
import { LocalPathReclaimer } from '../kubelet/volumes/local-path-reclaimer.js';
import { runProxier } from '../proxy/proxier.js';
import { proxyChainPrefix } from '../proxy/names.js';
import { cniNames } from '../kubelet/cni/conflist.js';
import { runHostGw } from './host-gw.js';
import type { NodeAgentConfig } from './node-config.js';

export interface NodeAgentOptions {
  /** The client CA of the cluster: who may call the kubelet's endpoint (the API server's kubelet client cert). */
  clientCaPem: string;
  /** Reported as the kubelet version (e.g. v1.32.4-kts.0.1.0). */
  version: string;
  /** The kubelet's serving certificate (default: self-signed, as the kubelet without TLS bootstrap). */
  serving?: { certPem: string; keyPem: string };
  /** kube-proxy's own client (system:kube-proxy); default: the node's client. */
  proxyClient?: RestClient;
}

export interface RunningNodeAgent {
  /** Settles when the node is registered. */
  registered: Promise<void>;
  /** Replaces the kubelet endpoint's serving certificate (issued or rotated). */
  setServingCert(certPem: string, keyPem: string): void;
  done: Promise<void>;
}

export async function runNodeAgent(cfg: NodeAgentConfig, client: RestClient, o: NodeAgentOptions, log: Logger, signal: AbortSignal): Promise<RunningNodeAgent> {
  const t0 = Date.now();
  const step = (msg: string) => log.info(`${msg} (+${Date.now() - t0} ms)`);
  const agentDir = join(cfg.dataDir, 'agent');
  const rootDir = join(agentDir, 'kubelet');
  const podLogsDir = join(agentDir, 'pod-logs');
  const podManifestsDir = join(agentDir, 'pod-manifests');
  for (const d of [agentDir, rootDir, podLogsDir, podManifestsDir]) mkdirSync(d, { recursive: true, mode: 0o700 });

  const containerd = await startContainerd({ dataDir: cfg.dataDir, log: log.child('containerd'), signal, endpoint: cfg.containerRuntimeEndpoint, sandboxImage: PAUSE_IMAGE });
  const cri = new CriClient(containerd.socket);
  const v = await cri.version();
  step(`container runtime ${v.runtimeName} ${v.runtimeVersion} ready on ${containerd.socket}`);
  const imported = await importArchiveFolder({ socket: containerd.socket, dir: containerdPaths(cfg.dataDir).imagesDir, stateFile: join(agentDir, 'images-imported.json'), images: cri, log }).catch((e) => {
    log.warn(`importing image archives: ${(e as Error).message}`);
    return [];
  });
  if (imported.length) step(`imported ${imported.length} image(s) from ${containerdPaths(cfg.dataDir).imagesDir}`);
  // After the archives: the installer leaves the sandbox image there; build it only when missing.
  await ensurePauseImage({ socket: containerd.socket, images: cri, log });

  // The endpoint starts first (its port goes into the Node); requests reach the kubelet once it runs.
  const ref: { backend?: StreamingBackend } = {};
  const notReady = () => Promise.reject(new Error('the kubelet is starting'));
  const lazy: StreamingBackend = {
    container: (...a) => (ref.backend ? ref.backend.container(...a) : notReady()),
    isRunning: (...a) => (ref.backend ? ref.backend.isRunning(...a) : notReady()),
    sandbox: (...a) => (ref.backend ? ref.backend.sandbox(...a) : notReady()),
    exec: (...a) => (ref.backend ? ref.backend.exec(...a) : notReady()),
    attach: (...a) => (ref.backend ? ref.backend.attach(...a) : notReady()),
    portForward: (...a) => (ref.backend ? ref.backend.portForward(...a) : notReady()),
    pods: () => (ref.backend ? ref.backend.pods() : notReady()),
  };
  const serving = o.serving ?? selfSignedServingCert(cfg.nodeIp, [hostname(), cfg.nodeName, cfg.nodeIp]);
  const server = await startKubeletServer({ bindAddress: '0.0.0.0', port: cfg.kubeletPort, tls: { ...serving, clientCaPem: o.clientCaPem } }, lazy, log.child('kubelet-server'), signal);
  step(`kubelet endpoint listening on https://${cfg.nodeIp}:${server.port}`);

  const kubelet: RunningKubelet = runKubelet(
    {
      nodeName: cfg.nodeName,
      version: o.version,
      nodeIp: cfg.nodeIp,
      agentDir,
      rootDir,
      podLogsDir,
      podManifestsDir,
      criEndpoint: containerd.socket,
      clusterDns: cfg.clusterDns,
      clusterDomain: cfg.clusterDomain,
      resolvConf: cfg.resolvConf,
      kubeletPort: server.port,
      maxPods: 110,
      labels: cfg.labels,
      taints: cfg.taints,
      evictionHard: { memoryAvailableBytes: 100 * 1024 * 1024, nodefsAvailableFraction: 0.05 },
      relistMs: 1000,
    },
    client,
    cri,
    { images: new CriImageService(cri, client, log.child('images')) },
    log.child('kubelet'),
    signal,
  );
  ref.backend = new CriStreamingBackend(cri, kubelet.cache, kubelet.pods, kubelet.waitingOf, podLogsDir);
  const registered = kubelet.registered.then(() => step(`node ${cfg.nodeName} registered`));

  // The pod network follows the node's pod CIDR (allocated by the server's node IPAM controller).
  const nodes = new Informer<KObject>(client, { group: '', version: 'v1', resource: 'nodes', fieldSelector: `metadata.name=${cfg.nodeName}`, onError: (m) => log.debug(`node informer: ${m}`) });
  let cidr = '';
  const onNode = (n: KObject) => {
    const podCidr = (n.spec as { podCIDR?: string } | undefined)?.podCIDR;
    if (!podCidr || podCidr === cidr) return;
    cidr = podCidr;
    void writeNodeCniConfig(cfg.dataDir, podCidr).then(
      (path) => step(`pod network ${podCidr} configured (${path})`),
      (e) => log.error(`writing the CNI configuration: ${(e as Error).message}`),
    );
  };
  nodes.addHandler({ onAdd: onNode, onUpdate: (_o, n) => onNode(n) });
  // kube-proxy: this node's iptables chains (prefix from the data dir, as `kts cleanup` finds them).
  const proxy = cfg.disableKubeProxy ? undefined : runProxier({ client: o.proxyClient ?? client, nodeName: cfg.nodeName, prefix: proxyChainPrefix(cfg.dataDir), bridge: cniNames(cfg.dataDir).bridge, log: log.child('kube-proxy') }, signal);
  // Pod CIDRs of the other nodes, routed via their addresses (flannel's host-gw).
  const hostGw = runHostGw({ client, nodeName: cfg.nodeName, dataDir: cfg.dataDir, log: log.child('host-gw') }, signal);
  const reclaimer = new LocalPathReclaimer({ client, nodeName: cfg.nodeName, storageDir: join(cfg.dataDir, 'storage'), log: log.child('local-path') });

  const done = (async () => {
    await Promise.allSettled([kubelet.done, nodes.run(signal), reclaimer.run(signal), server.done, proxy?.done, hostGw]);
    cri.close();
    await containerd.done;
  })();
  return { registered, setServingCert: server.setCertificate, done };
}
