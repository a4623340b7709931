// A small HTTPS admission webhook server for tests: a fresh CA and a serving certificate for
// 127.0.0.1 (from server/pki), and a handler deciding each AdmissionReview. Shared by the unit
// tests of src/apiserver/admission/webhook and the e2e test.
import { createServer, type Server } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ensurePki } from '../../src/server/pki.js';

export interface ReviewRequest {
  uid: string;
  operation: string;
  name?: string;
  namespace?: string;
  dryRun?: boolean;
  object?: { metadata?: { labels?: Record<string, string> } } | null;
  oldObject?: unknown;
  resource: { group: string; version: string; resource: string };
  subResource?: string;
}

export type Decide = (req: ReviewRequest, path: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface WebhookServer {
  url: string;
  port: number;
  /** base64 PEM of the CA, for clientConfig.caBundle. */
  caBundle: string;
  /** Requests seen, by path. */
  calls: { path: string; request: ReviewRequest }[];
  close(): Promise<void>;
}

/** Encodes a JSON patch for an AdmissionReview response. */
export const jsonPatch = (ops: unknown[]): string => Buffer.from(JSON.stringify(ops)).toString('base64');

/** `dns`: extra names for the serving certificate (e.g. `hook.default.svc` for a service reference). */
export async function startWebhookServer(decide: Decide, opts: { port?: number; dns?: string[] } = {}): Promise<WebhookServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kts-webhook-'));
  const pki = await ensurePki(dir, { sans: { dns: ['localhost', ...(opts.dns ?? [])], ips: ['127.0.0.1'] } });
  const calls: WebhookServer['calls'] = [];
  const server: Server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: ReviewRequest };
        const path = new URL(req.url ?? '/', 'https://x').pathname;
        calls.push({ path, request: review.request });
        const response = { uid: review.request.uid, ...(await decide(review.request, path)) };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caBundle: Buffer.from(pki.caCertPem).toString('base64'),
    calls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
