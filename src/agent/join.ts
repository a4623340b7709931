// Joining a server: the node token and how the agent comes to trust the server's CA.
//
// A full token (`K10<hash>::server:<secret>`, as k3s writes it) pins the cluster CA: <hash> is
// SHA-256 over the CA certificate's DER SubjectPublicKeyInfo (server/pki caCertHash, kubeadm's
// discovery hash). Without --ca-cert, the agent connects once without verification, takes the
// CA from the certificate chain the server presents (or from k3s's /cacerts, if served) and keeps
// it only if its hash matches the token; every later connection verifies against that CA.
// A bare secret cannot pin anything, so it needs --ca-cert.
import { connect } from 'node:tls';
import type { PeerCertificate, DetailedPeerCertificate } from 'node:tls';
import { request } from 'node:https';
import { createHash, X509Certificate } from 'node:crypto';

export interface ParsedToken {
  /** Hex SHA-256 the CA must have, when the token carries one. */
  caHash?: string;
  /** What is sent as the bearer token (the server accepts the full token and the secret). */
  bearer: string;
}

export function parseToken(token: string): ParsedToken {
  const m = /^K10([0-9a-f]{64})::[^:]+:(.+)$/i.exec(token);
  if (m) return { caHash: m[1]!.toLowerCase(), bearer: token };
  return { bearer: token };
}

/** Hex SHA-256 of a certificate's DER SubjectPublicKeyInfo. */
export function spkiHash(cert: X509Certificate): string {
  return createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** The certificates the server presents in its TLS handshake (leaf first), unverified. */
function presentedChain(url: URL, timeoutMs: number): Promise<X509Certificate[]> {
  return new Promise((resolve, reject) => {
    const host = bareHost(url);
    const sock = connect({ host, port: Number(url.port || 443), servername: isIpLiteral(host) ? undefined : host, rejectUnauthorized: false });
    const timer = setTimeout(() => sock.destroy(new Error(`timed out connecting to ${url.host}`)), timeoutMs);
    sock.once('secureConnect', () => {
      clearTimeout(timer);
      const out: X509Certificate[] = [];
      const seen = new Set<string>();
      let c: PeerCertificate | DetailedPeerCertificate | undefined = sock.getPeerCertificate(true);
      while (c && c.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        out.push(new X509Certificate(c.raw));
        c = (c as DetailedPeerCertificate).issuerCertificate;
      }
      sock.end();
      resolve(out);
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** k3s serves its CA bundle at /cacerts; kts may or may not; a failure here is not an error. */
function fetchCacerts(url: URL, timeoutMs: number): Promise<X509Certificate[]> {
  return new Promise((resolve) => {
    const req = request({ host: bareHost(url), port: url.port || 443, path: '/cacerts', method: 'GET', rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve([]);
        const pems = body.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
        const certs: X509Certificate[] = [];
        for (const p of pems) {
          try {
            certs.push(new X509Certificate(p));
          } catch {
            // not a certificate; ignore
          }
        }
        resolve(certs);
      });
    });
    req.on('error', () => resolve([]));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Finds the server's CA certificate (PEM) whose SPKI hash is `caHash`; throws a clear error when
 * the server presents a different CA (wrong token or an impostor) or none at all.
 */
export async function discoverCa(server: string, caHash: string, timeoutMs = 10_000): Promise<string> {
  const url = new URL(server);
  const chain = await presentedChain(url, timeoutMs).catch((e: Error) => {
    throw new Error(`cannot reach the server at ${server}: ${e.message}`);
  });
  const candidates = [...chain.slice(1), ...chain.filter((c) => c.ca && c.issuer === c.subject).slice(0, 1)];
  let ca = candidates.find((c) => spkiHash(c) === caHash);
  if (!ca) {
    const served = await fetchCacerts(url, timeoutMs);
    candidates.push(...served);
    ca = served.find((c) => spkiHash(c) === caHash);
  }
  const leaf = chain[0];
  if (!ca) {
    if (candidates.length) {
      const got = [...new Set(candidates.map((c) => `sha256:${spkiHash(c)}`))].join(', ');
      throw new Error(`the server's CA certificate hash does not match: expected sha256:${caHash}, the server presented ${got}; check --ca-cert-hash (or the token) and --server`);
    }
    throw new Error(`the server at ${server} did not present its CA certificate (it sends only its own certificate and does not serve /cacerts), so the token's CA hash cannot be checked; pass --ca-cert <server data-dir>/server/tls/server-ca.crt`);
  }
  if (leaf && (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey))) throw new Error(`the server's certificate (${leaf.subject.replace(/\n/g, ', ')}) was not issued by the CA the token names; refusing to connect`);
  return toPem(ca.raw);
}

/** "sha256:<64 hex>" (kubeadm's --discovery-token-ca-cert-hash format) → the hex; throws otherwise. */
export function parseCaCertHash(text: string): string {
  const m = /^sha256:([0-9a-fA-F]{64})$/.exec(text.trim());
  if (!m) throw new Error(`--ca-cert-hash must be sha256:<64 hex digits> (got "${text}")`);
  return m[1]!.toLowerCase();
}

/**
 * The server's CA certificate (PEM), trusted by one of: --ca-cert (checked against the pinned hash
 * if there is one), --ca-cert-hash, or the hash in a K10 node token. Throws a clear error otherwise.
 */
export async function resolveServerCa(o: { server: string; caCertPem?: string; caCertHash?: string; token?: string }): Promise<string> {
  const tokenHash = o.token ? parseToken(o.token).caHash : undefined;
  const flagHash = o.caCertHash ? parseCaCertHash(o.caCertHash) : undefined;
  if (flagHash && tokenHash && flagHash !== tokenHash) throw new Error(`the CA hash does not match: --ca-cert-hash is sha256:${flagHash} but the token pins sha256:${tokenHash}`);
  const want = flagHash ?? tokenHash;
  if (o.caCertPem) {
    const got = spkiHash(new X509Certificate(o.caCertPem));
    if (want && got !== want) throw new Error(`the CA hash does not match: --ca-cert has sha256:${got}, expected sha256:${want}`);
    return o.caCertPem;
  }
  if (!want) throw new Error('nothing pins the server CA: pass --ca-cert-hash sha256:… (printed by `kts token create --print-join-command`) or --ca-cert FILE');
  return discoverCa(o.server, want);
}

function isIpLiteral(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}

/** URL hostnames keep IPv6 brackets; sockets want the bare address. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}
