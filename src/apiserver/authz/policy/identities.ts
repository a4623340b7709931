// The users kts's own components authenticate as (client certificate CNs signed at server start,
// or the node token), each bound by the default policy to a role with only what it needs.
export const IDENTITIES = {
  controllerManager: 'system:kube-controller-manager',
  scheduler: 'system:kube-scheduler',
  kubeProxy: 'system:kube-proxy',
  /** The API server towards kubelets (logs, exec, port-forward), bound to system:kubelet-api-admin. */
  apiserverKubeletClient: 'kube-apiserver-kubelet-client',
  dns: 'system:kts:dns',
  ingress: 'system:kts:ingress',
  serviceLb: 'system:kts:service-lb',
  localPathProvisioner: 'system:kts:local-path-provisioner',
  /** CSR approval and signing (in the server process, which holds the CA keys). */
  certificateController: 'system:kts:certificate-controller',
} as const;

/**
 * The node token's group besides system:bootstrappers (server/run.ts NODE_TOKEN_USER): simulated
 * agents without certificates of their own use the token for every request.
 */
export const NODE_AGENT_GROUP = 'system:kts:node-agents';
/** Who the server's node token authenticates as (the full token and its secret alike). */
export const NODE_TOKEN_USER_NAME = 'kts:node-token';
