// What the kubelet needs to know, validated by its caller (the agent): the node's identity and
// addresses, where things live on disk, the CRI socket and cluster DNS settings.
import type { TaintLike } from '../api/scheduling.js';

export interface KubeletConfig {
  nodeName: string;
  /** Reported as nodeInfo.kubeletVersion (e.g. v1.32.4-kts.0.1.0). */
  version: string;
  /** The node's InternalIP (also where the kubelet's HTTPS endpoint is reached). */
  nodeIp: string;
  /** `<data-dir>/agent`: kubelet/, pod-manifests/, storage paths hang off it. */
  agentDir: string;
  /** `<data-dir>/agent/kubelet`: pods/<uid>/… volumes and container files. */
  rootDir: string;
  /** Directory for container logs: <podLogsDir>/<ns>_<name>_<uid>/<container>/<attempt>.log. */
  podLogsDir: string;
  /** Static pod manifests (files are watched). */
  podManifestsDir: string;
  /** CRI endpoint (unix socket path). */
  criEndpoint: string;
  clusterDns: string[];
  clusterDomain: string;
  /** The host's resolv.conf (dnsPolicy Default, and search domains for ClusterFirst). */
  resolvConf: string;
  /** Port of the kubelet's HTTPS endpoint reported in the Node's daemonEndpoints. */
  kubeletPort: number;
  maxPods: number;
  labels: Record<string, string>;
  taints: TaintLike[];
  /** Hard eviction thresholds: bytes of memory and fraction of nodefs that must stay available. */
  evictionHard: { memoryAvailableBytes: number; nodefsAvailableFraction: number };
  /** How often the relist looks at the runtime (ms). */
  relistMs: number;
}
