// Certificate rotation while the server runs: `kts certificate rotate` moves leaf certificates
// out of the tls directory; this loop notices (a stat every couple of seconds), lets ensurePki
// issue the missing ones from the same CAs, and hands the new serving certificate to the API
// server (new connections get it, open ones keep theirs: no downtime) and the new admin
// certificate to the kubeconfigs. Other clients' certificates take effect on the next start.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePki } from './pki.js';
import type { Pki, Sans } from './pki.js';
import type { Logger } from '../util/log.js';

export interface CertReloadTargets {
  reloadServing(certChainPem: string, keyPem: string): void;
  adminChanged(pki: Pki): Promise<void>;
}

export function startCertificateReload(tlsDir: string, sans: Sans, current: Pki, targets: CertReloadTargets, log: Logger, signal: AbortSignal, intervalMs = 2000): void {
  const watched = ['serving-kube-apiserver', 'client-admin', 'client-kube-apiserver-kubelet-client'].flatMap((b) => [join(tlsDir, `${b}.crt`), join(tlsDir, `${b}.key`)]);
  let pki = current;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || watched.every((f) => existsSync(f))) return;
    busy = true;
    void (async () => {
      try {
        const next = await ensurePki(tlsDir, { sans, log: (m) => log.info(m) });
        if (next.serverCertPem !== pki.serverCertPem) {
          targets.reloadServing(next.serverCertPem + next.caCertPem, next.serverKeyPem);
          log.info('serving certificate renewed; new connections use it');
        }
        if (next.adminCertPem !== pki.adminCertPem) await targets.adminChanged(next);
        pki = next;
      } catch (e) {
        log.error(`certificate renewal failed: ${(e as Error).message}`);
      } finally {
        busy = false;
      }
    })();
  }, intervalMs);
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
