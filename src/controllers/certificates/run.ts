// Runs the certificate controllers over one CSR informer: the approver and the signer (each its
// own work queue, keyed by CSR name). Started by the server, which holds the CA keys.
import type { KObject } from '../../api/types.js';
import type { Logger } from '../../util/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { Informer } from '../../client/informer.js';
import { Controller } from '../../client/controller.js';
import { approveOne, defaultApprovalCheck, nodeNamesFromApi, type ApprovalCheck } from './approver.js';
import { signOne, type SignerConfig } from './signer.js';

export interface CertificateControllersConfig extends SignerConfig {
  /** Defaults to defaultApprovalCheck (group based); RBAC plugs in a SubjectAccessReview here. */
  approvalCheck?: ApprovalCheck;
}

export async function runCertificateControllers(client: RestClient, cfg: CertificateControllersConfig, log: Logger, signal: AbortSignal): Promise<void> {
  const csrs = new Informer<KObject>(client, { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests', resyncMs: 0, onError: (m) => log.debug(m) });
  const check = cfg.approvalCheck ?? defaultApprovalCheck;
  const nodeNames = nodeNamesFromApi(client);
  const approver = new Controller({ name: 'csrapproving', log, workers: 1 }, async (name) => {
    const wait = await approveOne(client, csrs.get('', name), check, nodeNames);
    return wait ? { requeueAfterMs: wait } : undefined;
  });
  const signer = new Controller({ name: 'csrsigning', log, workers: 1 }, async (name) => {
    await signOne(client, csrs.get('', name), cfg);
  });
  const enqueue = (o: KObject) => {
    approver.enqueue(o.metadata.name!);
    signer.enqueue(o.metadata.name!);
  };
  csrs.addHandler({ onAdd: enqueue, onUpdate: (_o, o) => enqueue(o) });
  await Promise.all([csrs.run(signal), approver.run(signal), signer.run(signal)]);
}
