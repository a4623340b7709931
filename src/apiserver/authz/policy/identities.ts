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
  /** Whoever presents the node token (`kts agent --simulated`, and agents joining with the token). */
  nodeAgent: 'system:kts:node-agent',
} as const;

export const NODE_AGENT_GROUP = 'system:kts:node-agents';
