// kts's own component roles: what each in-process component (controller manager, DNS, ingress,
// ServiceLB, local-path provisioner) and the node token's agents really use, so that none runs with
// admin credentials. Names start with system:kts:.
import type { PolicyRule } from '../types.js';
import { READ, rule, url } from './rule.js';
import { EVENTS_RULE, type ClusterRoleDef } from './cluster-roles.js';
import { nodeRules } from './node-rules.js';

const ALL_BUT_CREATE = ['get', 'list', 'watch', 'update', 'patch', 'delete', 'deletecollection'];

/**
 * kts runs every controller under one identity (upstream gives each its own service account):
 * this is the union of what they need. The garbage collector and the namespace controller act on
 * every kind (custom resources too); creations are limited to what controllers make; the
 * aggregation controller writes aggregated rules (escalate on clusterroles, as upstream's).
 */
export const controllersRules: PolicyRule[] = [
  rule(ALL_BUT_CREATE, ['*'], ['*']),
  rule(['create'], [''], ['pods', 'persistentvolumeclaims', 'endpoints', 'serviceaccounts', 'configmaps', 'persistentvolumes', 'events', 'serviceaccounts/token', 'pods/eviction', 'pods/binding']),
  rule(['create'], ['apps'], ['replicasets', 'controllerrevisions']),
  rule(['create'], ['batch'], ['jobs']),
  rule(['create'], ['discovery.k8s.io'], ['endpointslices']),
  rule(['create'], ['events.k8s.io'], ['events']),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['escalate'], ['rbac.authorization.k8s.io'], ['clusterroles']),
];

export const ktsClusterRoles: ClusterRoleDef[] = [
  { name: 'system:kts:controllers', rules: controllersRules },
  {
    name: 'system:kts:dns',
    rules: [rule(['list', 'watch'], [''], ['services']), rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices'])],
  },
  {
    name: 'system:kts:ingress',
    rules: [
      rule(READ, ['networking.k8s.io'], ['ingresses', 'ingressclasses']),
      rule(['update', 'patch'], ['networking.k8s.io'], ['ingresses/status']),
      rule(READ, [''], ['services', 'secrets']),
      rule(READ, ['discovery.k8s.io'], ['endpointslices']),
      EVENTS_RULE,
    ],
  },
  {
    name: 'system:kts:service-lb',
    rules: [rule(READ, [''], ['services', 'nodes']), rule(['update', 'patch'], [''], ['services/status']), EVENTS_RULE],
  },
  {
    name: 'system:kts:local-path-provisioner',
    rules: [
      rule(['get', 'list', 'watch', 'create', 'delete'], [''], ['persistentvolumes']),
      rule(['get', 'list', 'watch', 'update', 'patch'], [''], ['persistentvolumeclaims']),
      rule(READ, ['storage.k8s.io'], ['storageclasses']),
      rule(['get'], [''], ['configmaps'], ['local-path-config']),
      EVENTS_RULE,
    ],
  },
  {
    name: 'system:kts:certificate-controller',
    rules: [
      rule(READ, ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/approval', 'certificatesigningrequests/status']),
      rule(['approve', 'sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
      rule(['get'], [''], ['nodes']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      EVENTS_RULE,
    ],
  },
  // Joined agents run kube-proxy with the node's credentials (they get no kube-proxy certificate):
  // what system:node-proxier adds to system:node.
  { name: 'system:kts:node-proxier', rules: [rule(['list', 'watch'], [''], ['services', 'endpoints']), rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices'])] },
  // The kubelet removes released local-path volumes of its node (kts's local-path reclaimer).
  { name: 'system:kts:local-path-node', rules: [rule(['get', 'list', 'watch', 'delete'], [''], ['persistentvolumes'])] },
  // Servers joining the cluster fetch its CAs and keys with the node token (the route itself
  // insists on the full token, so its bare secret does not pass).
  { name: 'system:kts:server-bootstrap', rules: [url(['get'], ['/v1-kts/server-bootstrap'])] },
  // The node token's holder plays the kubelet for nodes it names (simulated nodes: many at once),
  // so it has system:node's rules without the Node authorizer's per-node narrowing, plus what
  // kube-proxy and the local-path reclaimer of those nodes read.
  {
    name: 'system:kts:node-agent',
    rules: [...nodeRules, rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']), rule(['get', 'list', 'watch', 'delete'], [''], ['persistentvolumes'])],
  },
];

/**
 * Roles in kube-system: upstream's extension-apiserver-authentication-reader (the client CA that
 * agents read to trust the API server's kubelet client), and DNS keeping the kube-dns Service,
 * Endpoints and EndpointSlice current.
 */
export const ktsSystemRoles: { name: string; rules: PolicyRule[] }[] = [
  { name: 'extension-apiserver-authentication-reader', rules: [rule(READ, [''], ['configmaps'], ['extension-apiserver-authentication'])] },
  {
    name: 'system:kts:dns',
    rules: [rule(['get', 'create', 'update', 'patch'], ['', 'discovery.k8s.io'], ['services', 'endpoints', 'endpointslices'])],
  },
];
