// The Node authorizer (upstream's --authorization-mode=Node): a kubelet may read a secret, config
// map, claim or volume only when a pod bound to its node uses it, may request tokens only for its
// pods' service accounts, may touch only its own Lease, and otherwise has system:node's rules.
// Writes to its Node and its pods' status are narrowed by NodeRestriction admission.
import type { Attributes, Authorizer, AuthorizerResult } from './types.js';
import { rulesAllow } from './rules.js';
import { nodeIdentity } from './node-identity.js';
import { nodeRules } from './policy/node-rules.js';
import type { NodeGraph } from './node-graph.js';

const NO: AuthorizerResult = { decision: 'noOpinion', reason: '' };
const ALLOW: AuthorizerResult = { decision: 'allow', reason: '' };
const no = (reason: string): AuthorizerResult => ({ decision: 'noOpinion', reason });

export class NodeAuthorizer implements Authorizer {
  constructor(private readonly graph: NodeGraph) {}

  authorize(a: Attributes): AuthorizerResult {
    const node = nodeIdentity(a.user);
    if (node === undefined) return NO;
    if (!node) return no('unknown node');
    if (a.isResourceRequest && a.apiGroup === '') {
      switch (a.resource) {
        case 'secrets':
          return this.readNamespaced(node, 'secret', a);
        case 'configmaps':
          return this.readNamespaced(node, 'configmap', a);
        case 'persistentvolumeclaims':
          if (a.subresource === 'status') return this.pvcStatus(node, a);
          return this.get(node, a, () => this.graph.related(node, 'pvc', a.namespace, a.name));
        case 'persistentvolumes':
          return this.get(node, a, () => this.graph.volumeRelated(node, a.name));
        case 'serviceaccounts':
          return this.createToken(node, a);
      }
    }
    if (a.isResourceRequest && a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') return this.lease(node, a);
    return rulesAllow(a, nodeRules) ? ALLOW : NO;
  }

  private relation(node: string, a: Attributes, ok: () => boolean): AuthorizerResult {
    if (!a.name) return no('No Object name found');
    return ok() ? ALLOW : no(`no relationship found between node '${node}' and this object`);
  }

  private readNamespaced(node: string, kind: 'secret' | 'configmap', a: Attributes): AuthorizerResult {
    if (!['get', 'list', 'watch'].includes(a.verb)) return no('can only read resources of this type');
    if (a.subresource) return no('cannot read subresource');
    if (!a.namespace) return no('can only read namespaced object of this type');
    return this.relation(node, a, () => this.graph.related(node, kind, a.namespace, a.name));
  }

  private get(node: string, a: Attributes, ok: () => boolean): AuthorizerResult {
    if (a.verb !== 'get') return no('can only get individual resources of this type');
    if (a.subresource) return no('cannot get subresource');
    return this.relation(node, a, ok);
  }

  private pvcStatus(node: string, a: Attributes): AuthorizerResult {
    if (!['get', 'update', 'patch'].includes(a.verb)) return no('can only get/update/patch this type');
    return this.relation(node, a, () => this.graph.related(node, 'pvc', a.namespace, a.name));
  }

  private createToken(node: string, a: Attributes): AuthorizerResult {
    if (a.verb !== 'create' || !a.name) return no('can only create tokens for individual service accounts');
    if (a.subresource !== 'token') return no('can only create token subresource of serviceaccount');
    return this.relation(node, a, () => this.graph.related(node, 'serviceaccount', a.namespace, a.name));
  }

  private lease(node: string, a: Attributes): AuthorizerResult {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return no('can only get, create, update, patch, or delete a node lease');
    if (a.namespace !== 'kube-node-lease') return no('can only access leases in the "kube-node-lease" system namespace');
    if (a.verb !== 'create' && a.name !== node) return no('can only access node lease with the same name as the requesting node');
    return ALLOW;
  }
}
