// The default bindings: upstream's (cluster-admin to system:masters, discovery and basic-user to
// every authenticated user, public info to everyone, component roles to component users) and
// kts's (component identities, node token agents, bootstrap tokens for slice A's node join).
import { IDENTITIES, NODE_AGENT_GROUP, NODE_TOKEN_USER_NAME } from './identities.js';

export interface SubjectDef { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }
export interface BindingDef { name: string; role: string; subjects: SubjectDef[] }

const user = (name: string): SubjectDef => ({ kind: 'User', name });
const group = (name: string): SubjectDef => ({ kind: 'Group', name });

export const clusterRoleBindings: BindingDef[] = [
  { name: 'cluster-admin', role: 'cluster-admin', subjects: [group('system:masters')] },
  { name: 'system:monitoring', role: 'system:monitoring', subjects: [group('system:monitoring')] },
  { name: 'system:discovery', role: 'system:discovery', subjects: [group('system:authenticated')] },
  { name: 'system:basic-user', role: 'system:basic-user', subjects: [group('system:authenticated')] },
  { name: 'system:public-info-viewer', role: 'system:public-info-viewer', subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:service-account-issuer-discovery', role: 'system:service-account-issuer-discovery', subjects: [group('system:serviceaccounts')] },
  { name: 'system:node-proxier', role: 'system:node-proxier', subjects: [user(IDENTITIES.kubeProxy)] },
  { name: 'system:kube-controller-manager', role: 'system:kube-controller-manager', subjects: [user(IDENTITIES.controllerManager)] },
  { name: 'system:kube-dns', role: 'system:kube-dns', subjects: [{ kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }] },
  { name: 'system:kube-scheduler', role: 'system:kube-scheduler', subjects: [user(IDENTITIES.scheduler)] },
  { name: 'system:volume-scheduler', role: 'system:volume-scheduler', subjects: [user(IDENTITIES.scheduler)] },
  // Upstream keeps this binding without subjects: nodes get system:node's rules through the Node authorizer.
  { name: 'system:node', role: 'system:node', subjects: [] },
  { name: 'kube-apiserver-kubelet-admin', role: 'system:kubelet-api-admin', subjects: [user(IDENTITIES.apiserverKubeletClient)] },
  // Node join (bootstrap tokens, CSRs): as kubeadm binds them.
  { name: 'system:node-bootstrapper', role: 'system:node-bootstrapper', subjects: [group('system:bootstrappers')] },
  { name: 'system:kts:node-autoapprove-bootstrap', role: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', subjects: [group('system:bootstrappers')] },
  { name: 'system:kts:node-autoapprove-certificate-rotation', role: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', subjects: [group('system:nodes')] },
  // kts's components.
  { name: 'system:kts:controllers', role: 'system:kts:controllers', subjects: [user(IDENTITIES.controllerManager)] },
  { name: 'system:kts:dns', role: 'system:kts:dns', subjects: [user(IDENTITIES.dns)] },
  { name: 'system:kts:ingress', role: 'system:kts:ingress', subjects: [user(IDENTITIES.ingress)] },
  { name: 'system:kts:service-lb', role: 'system:kts:service-lb', subjects: [user(IDENTITIES.serviceLb)] },
  { name: 'system:kts:local-path-provisioner', role: 'system:kts:local-path-provisioner', subjects: [user(IDENTITIES.localPathProvisioner)] },
  { name: 'system:kts:local-path-node', role: 'system:kts:local-path-node', subjects: [group('system:nodes')] },
  { name: 'system:kts:node-proxier', role: 'system:kts:node-proxier', subjects: [group('system:nodes')] },
  { name: 'system:kts:certificate-controller', role: 'system:kts:certificate-controller', subjects: [user(IDENTITIES.certificateController)] },
  { name: 'system:kts:node-agent', role: 'system:kts:node-agent', subjects: [group(NODE_AGENT_GROUP)] },
  { name: 'system:kts:server-bootstrap', role: 'system:kts:server-bootstrap', subjects: [user(NODE_TOKEN_USER_NAME)] },
];

/** RoleBindings in kube-system (to Roles of the same name there). */
export const systemRoleBindings: BindingDef[] = [
  // Agents learn the client CA there before serving the kubelet's endpoint (cmd/node-agent-command).
  { name: 'system:kts:nodes-client-ca', role: 'extension-apiserver-authentication-reader', subjects: [group('system:nodes'), group(NODE_AGENT_GROUP)] },
  { name: 'system:kts:dns', role: 'system:kts:dns', subjects: [user(IDENTITIES.dns)] },
];
