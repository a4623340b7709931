// certificates.k8s.io CertificateSigningRequests, as kube-apiserver prints them (`kubectl get csr`):
// NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION.

import { at, list, str } from './access.js';
import { age, humanDuration } from './format.js';
import { ageColumn, column, nameColumn, type TablePrinter } from './table.js';

/** Upstream's extractCSRStatus: Denied beats Approved beats Pending, then ,Failed and ,Issued. */
export function csrCondition(csr: unknown): string {
  const types = new Set(list(csr, 'status', 'conditions').map((c) => str(c, 'type')));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (str(csr, 'status', 'certificate')) s += ',Issued';
  return s;
}

export const certificateSigningRequestPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    ageColumn(),
    column('SignerName', 'signerName indicates the requested signer, and is a qualified name.'),
    column('Requestor', 'username contains the name of the user that created the CertificateSigningRequest.'),
    column('RequestedDuration', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
    column('Condition', 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".'),
  ],
  row: (csr, now) => {
    const exp = at(csr, 'spec', 'expirationSeconds');
    return [str(csr, 'metadata', 'name'), age(csr, now), str(csr, 'spec', 'signerName'), str(csr, 'spec', 'username'), typeof exp === 'number' ? humanDuration(exp * 1000) : '<none>', csrCondition(csr)];
  },
};
