// The CSR cleaner (kube-controller-manager's csrcleaner): CertificateSigningRequests are not kept
// forever. Issued, denied and failed ones go an hour after that happened, pending ones after a
// day, and any whose issued certificate has expired at once. Each CSR is requeued for the moment
// it becomes due, instead of upstream's hourly sweep.
import { X509Certificate } from 'node:crypto';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { Informer } from '../../client/informer.js';
import { Controller } from '../../client/controller.js';
import { resourcePath } from '../../client/rest-client.js';
import type { ControllerContext, ControllerDef } from '../context.js';
import { waitForCacheSync } from '../util/sync.js';

const HOUR = 3_600_000;

interface CsrStatus { conditions?: { type?: string; status?: string; lastUpdateTime?: string }[]; certificate?: string }

/** Milliseconds until `csr` should be deleted (<= 0: now). */
export function csrCleanupDelayMs(csr: KObject, now: number): number {
  const st = (csr.status ?? {}) as CsrStatus;
  const cond = (t: string) => st.conditions?.find((c) => c.type === t && c.status === 'True');
  const at = (ts: string | undefined) => (ts ? Date.parse(ts) : NaN);
  const deadlines: number[] = [];
  if (st.certificate) {
    const approved = cond('Approved');
    if (approved) deadlines.push(at(approved.lastUpdateTime) + HOUR);
    try {
      deadlines.push(Date.parse(new X509Certificate(Buffer.from(st.certificate, 'base64')).validTo));
    } catch {
      // not a readable certificate: the other deadlines apply
    }
  }
  const denied = cond('Denied');
  if (denied) deadlines.push(at(denied.lastUpdateTime) + HOUR);
  const failed = cond('Failed');
  if (failed) deadlines.push(at(failed.lastUpdateTime) + HOUR);
  if (!cond('Approved') && !denied) deadlines.push(at(csr.metadata.creationTimestamp) + 24 * HOUR);
  const valid = deadlines.filter((d) => !Number.isNaN(d));
  return valid.length ? Math.min(...valid) - now : 24 * HOUR;
}

export function createCsrCleanerController(now: () => number = Date.now): ControllerDef {
  return {
    name: 'csrcleaner',
    async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const { client } = ctx;
      const csrs = new Informer<KObject>(client, { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests', resyncMs: 0, onError: (m) => ctx.log.debug(m) });
      const controller = new Controller({ name: 'csrcleaner', log: ctx.log, workers: 1 }, async (name) => {
        const csr = csrs.get('', name);
        if (!csr) return;
        const left = csrCleanupDelayMs(csr, now());
        if (left > 0) return { requeueAfterMs: Math.min(left + 50, 2 ** 31 - 1) };
        try {
          await client.delete(resourcePath('certificates.k8s.io', 'v1', 'certificatesigningrequests', undefined, name), { preconditions: { uid: csr.metadata.uid } });
        } catch (e) {
          if (e instanceof StatusError && (e.code === 404 || e.code === 409)) return;
          throw e;
        }
      });
      csrs.addHandler({ onAdd: (o) => controller.enqueue(o.metadata.name!), onUpdate: (_o, o) => controller.enqueue(o.metadata.name!) });
      const running = csrs.run(signal);
      if (!(await waitForCacheSync([csrs], signal))) return;
      await Promise.all([controller.run(signal), running]);
    },
  };
}

export const csrCleanerController = createCsrCleanerController();
