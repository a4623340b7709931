// The certificates a kts host keeps on disk, for `kts certificate check|rotate` (k3s's
// subcommand): list each one with its subject, usage and expiry; rotate leaf certificates by
// moving them (with their keys) to a timestamped backup directory, as k3s does, so the server
// issues new ones from the same CAs — at once when it is running (it watches its tls directory,
// see cert-reload.ts), else on its next start. CAs are never rotated here.
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';

export interface CertFile {
  path: string;
  subject: string;
  issuer: string;
  usages: string[];
  notAfter: Date;
  isCa: boolean;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** k3s's --service names and the certificate files (base names) each covers. */
export const CERT_SERVICES: Record<string, string[]> = {
  admin: ['client-admin'],
  'api-server': ['serving-kube-apiserver', 'client-kube-apiserver', 'client-kube-apiserver-kubelet-client'],
  'controller-manager': ['client-controller', 'client-kube-controller-manager'],
  scheduler: ['client-scheduler', 'client-kube-scheduler'],
  // kts's in-process add-ons (server/component-identities.ts), as k3s's controller certificate.
  'kts-controller': ['client-kts-controller', 'client-k3s-controller', 'client-kts-dns', 'client-kts-ingress', 'client-kts-service-lb', 'client-local-path-provisioner', 'client-kts-certificate-controller'],
  kubelet: ['client-kubelet', 'serving-kubelet'],
  'kube-proxy': ['client-kube-proxy'],
};

/** Every certificate under the server's tls directory and the agent's directory. */
export async function listCertificates(dataDir: string): Promise<CertFile[]> {
  const out: CertFile[] = [];
  for (const dir of [join(dataDir, 'server', 'tls'), join(dataDir, 'agent')]) {
    for (const path of await crtFiles(dir)) {
      try {
        const x = new X509Certificate(await readFile(path));
        const usages = (x.keyUsage ?? []).map((u) => (u === SERVER_AUTH ? 'ServerAuth' : u === CLIENT_AUTH ? 'ClientAuth' : u));
        out.push({ path, subject: x.subject.replace(/\n/g, ','), issuer: x.issuer.replace(/\n/g, ','), usages: x.ca ? ['CertSign'] : usages, notAfter: new Date(x.validTo), isCa: x.ca });
      } catch {
        // Not a certificate (or unreadable): not ours to list.
      }
    }
  }
  return out;
}

async function crtFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    // Backups of earlier rotations are not live certificates.
    if (e.isDirectory() && !/^tls-\d+$/.test(e.name)) out.push(...(await crtFiles(join(dir, e.name))));
    else if (e.isFile() && e.name.endsWith('.crt')) out.push(join(dir, e.name));
  }
  return out.sort();
}

export class CertRotateError extends Error {}

/**
 * Moves the leaf certificates of `services` (all when empty) and their keys into
 * <dir>/tls-<unix seconds>/ next to them. Returns the files moved and the backup directory.
 */
export async function rotateCertificates(dataDir: string, services: string[], now = Date.now()): Promise<{ moved: string[]; backupDir: string }> {
  for (const s of services) if (!CERT_SERVICES[s]) throw new CertRotateError(`--service: unknown service "${s}"; valid services: ${Object.keys(CERT_SERVICES).join(', ')}`);
  const wanted = services.length ? new Set(services.flatMap((s) => CERT_SERVICES[s]!)) : undefined;
  const tlsDir = join(dataDir, 'server', 'tls');
  // The server's own directory only: it is what the server reissues from its CAs.
  const certs = (await listCertificates(dataDir)).filter((c) => c.path.startsWith(tlsDir + '/') && !c.isCa && (!wanted || wanted.has(basename(c.path, '.crt'))));
  const backupDir = join(tlsDir, `tls-${Math.floor(now / 1000)}`);
  const moved: string[] = [];
  if (!certs.length) return { moved, backupDir };
  await mkdir(backupDir, { recursive: true, mode: 0o700 });
  for (const c of certs) {
    const key = c.path.replace(/\.crt$/, '.key');
    for (const f of [c.path, key]) {
      if (!existsSync(f)) continue;
      await copyFile(f, join(backupDir, basename(f)));
    }
    // The certificate goes first: a key without its certificate is simply reissued.
    await rm(c.path, { force: true });
    await rm(key, { force: true });
    moved.push(c.path);
  }
  return { moved, backupDir };
}
