// Schemas of networking.k8s.io/v1 (Ingress, IngressClass, NetworkPolicy) as of Kubernetes v1.32.
// Every list here is atomic upstream: rules and peers are replaced whole by both patch flavours.
import { int32, intOrString, kindFields, list, listOf, ref, str, struct, type StructDef } from './dsl.js';

const NET = 'io.k8s.api.networking.v1';
const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (kind: string) => ({ group: 'networking.k8s.io', version: 'v1', kind });
/** core/v1 Protocol, an upstream +enum. */
const protocol = () => str(['SCTP', 'TCP', 'UDP']);

const ingress: StructDef[] = [
  struct(`${NET}.Ingress`, { ...kindFields(), spec: ref(`${NET}.IngressSpec`), status: ref(`${NET}.IngressStatus`) }, { gvk: [gvk('Ingress')] }),
  struct(`${NET}.IngressSpec`, {
    ingressClassName: str(),
    defaultBackend: ref(`${NET}.IngressBackend`),
    tls: list(ref(`${NET}.IngressTLS`)),
    rules: list(ref(`${NET}.IngressRule`)),
  }),
  struct(`${NET}.IngressTLS`, { hosts: list(str()), secretName: str() }),
  // Upstream embeds IngressRuleValue inline, so its one member (http) sits directly on the rule.
  struct(`${NET}.IngressRule`, { host: str(), http: ref(`${NET}.HTTPIngressRuleValue`) }),
  struct(`${NET}.HTTPIngressRuleValue`, { paths: list(ref(`${NET}.HTTPIngressPath`)) }, { required: ['paths'] }),
  struct(`${NET}.HTTPIngressPath`, { path: str(), pathType: str(), backend: ref(`${NET}.IngressBackend`) }, { required: ['pathType', 'backend'] }),
  struct(`${NET}.IngressBackend`, { service: ref(`${NET}.IngressServiceBackend`), resource: ref(`${CORE}.TypedLocalObjectReference`) }),
  struct(`${NET}.IngressServiceBackend`, { name: str(), port: ref(`${NET}.ServiceBackendPort`) }, { required: ['name'] }),
  struct(`${NET}.ServiceBackendPort`, { name: str(), number: int32() }),
  struct(`${NET}.IngressStatus`, { loadBalancer: ref(`${NET}.IngressLoadBalancerStatus`) }),
  struct(`${NET}.IngressLoadBalancerStatus`, { ingress: list(ref(`${NET}.IngressLoadBalancerIngress`)) }),
  struct(`${NET}.IngressLoadBalancerIngress`, { ip: str(), hostname: str(), ports: list(ref(`${NET}.IngressPortStatus`)) }),
  struct(`${NET}.IngressPortStatus`, { port: int32(), protocol: protocol(), error: str() }, { required: ['port', 'protocol'] }),
  listOf(`${NET}.Ingress`, `${NET}.IngressList`, gvk('IngressList')),
];

const ingressClass: StructDef[] = [
  struct(`${NET}.IngressClass`, { ...kindFields(), spec: ref(`${NET}.IngressClassSpec`) }, { gvk: [gvk('IngressClass')] }),
  struct(`${NET}.IngressClassSpec`, { controller: str(), parameters: ref(`${NET}.IngressClassParametersReference`) }),
  struct(`${NET}.IngressClassParametersReference`, {
    apiGroup: str(),
    kind: str(),
    name: str(),
    scope: str(),
    namespace: str(),
  }, { required: ['kind', 'name'] }),
  listOf(`${NET}.IngressClass`, `${NET}.IngressClassList`, gvk('IngressClassList')),
];

const networkPolicy: StructDef[] = [
  struct(`${NET}.NetworkPolicy`, { ...kindFields(), spec: ref(`${NET}.NetworkPolicySpec`) }, { gvk: [gvk('NetworkPolicy')] }),
  struct(`${NET}.NetworkPolicySpec`, {
    podSelector: ref(`${META}.LabelSelector`),
    ingress: list(ref(`${NET}.NetworkPolicyIngressRule`)),
    egress: list(ref(`${NET}.NetworkPolicyEgressRule`)),
    policyTypes: list(str()),
  }, { required: ['podSelector'] }),
  struct(`${NET}.NetworkPolicyIngressRule`, { ports: list(ref(`${NET}.NetworkPolicyPort`)), from: list(ref(`${NET}.NetworkPolicyPeer`)) }),
  struct(`${NET}.NetworkPolicyEgressRule`, { ports: list(ref(`${NET}.NetworkPolicyPort`)), to: list(ref(`${NET}.NetworkPolicyPeer`)) }),
  struct(`${NET}.NetworkPolicyPeer`, {
    podSelector: ref(`${META}.LabelSelector`),
    namespaceSelector: ref(`${META}.LabelSelector`),
    ipBlock: ref(`${NET}.IPBlock`),
  }),
  struct(`${NET}.IPBlock`, { cidr: str(), except: list(str()) }, { required: ['cidr'] }),
  struct(`${NET}.NetworkPolicyPort`, { protocol: protocol(), port: intOrString(), endPort: int32() }),
  listOf(`${NET}.NetworkPolicy`, `${NET}.NetworkPolicyList`, gvk('NetworkPolicyList')),
];

export const defs: StructDef[] = [...ingress, ...ingressClass, ...networkPolicy];
