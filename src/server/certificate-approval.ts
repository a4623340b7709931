// The CSR approver's permission check with RBAC, as upstream's csrapproving controller asks with a
// SubjectAccessReview: may the requester `create` certificatesigningrequests/nodeclient (a
// bootstrapper's first client certificate) or /selfnodeclient (a node renewing its own)? The
// default policy grants the first to system:bootstrappers and the second to system:nodes.
// Kubelet serving certificates (kts approves them as k3s does) keep the group rule: requester in
// system:nodes. The server runs the approver in-process, so it asks its authorizer directly.
import type { Authorization } from '../apiserver/authz/authorization.js';
import { resourceAttributes } from '../apiserver/authz/types.js';
import { defaultApprovalCheck, type ApprovalCheck } from '../controllers/certificates/approver.js';

export function rbacApprovalCheck(authz: Authorization): ApprovalCheck {
  return async (r, kind) => {
    if (kind === 'kubeletserving') return defaultApprovalCheck(r, kind);
    const user = { name: r.username, groups: r.groups, ...(r.uid ? { uid: r.uid } : {}), ...(r.extra ? { extra: r.extra } : {}) };
    const a = resourceAttributes(user, 'create', { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: kind });
    return (await authz.allowed(a)).decision === 'allow';
  };
}
