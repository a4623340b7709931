// Authentication: client certificates signed by the client CA (CN = user, O = groups), and bearer
// tokens from a token table (the node join token), and bound service account JWTs. Anonymous requests are refused, except
// for the public health and version endpoints, which are then authorized as system:anonymous (in
// system:unauthenticated), whom the default policy lets read them (system:public-info-viewer).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface TokenEntry {
  token: string;
  user: UserInfo;
}

/** The client-certificate identity of a connection, computed once per TLS socket (keep-alive). */
const certUsers = new WeakMap<TLSSocket, UserInfo | null>();

export function authenticate(req: IncomingMessage, tokens: TokenEntry[]): UserInfo | undefined {
  const sock = req.socket as TLSSocket;
  const cached = certUsers.get(sock);
  if (cached) return cached;
  if (cached === undefined && sock.authorized) {
    const user = certUser(sock);
    certUsers.set(sock, user ?? null);
    if (user) return user;
  }
  return tokenUser(req, tokens);
}

function certUser(sock: TLSSocket): UserInfo | undefined {
  const cert = sock.getPeerCertificate();
  const subj = cert?.subject as Record<string, string | string[]> | undefined;
  const cn = subj?.CN;
  if (typeof cn !== 'string' || !cn) return undefined;
  const o = subj?.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { name: cn, groups: [...groups, 'system:authenticated'] };
}

function tokenUser(req: IncomingMessage, tokens: TokenEntry[]): UserInfo | undefined {
  const auth = req.headers.authorization;
  if (auth && /^bearer /i.test(auth)) return staticTokenUser(auth.slice(7).trim(), tokens);
  return undefined;
}

function staticTokenUser(token: string, tokens: TokenEntry[]): UserInfo | undefined {
  const presented = Buffer.from(token);
  for (const t of tokens) {
    const want = Buffer.from(t.token);
    if (want.length === presented.length && timingSafeEqual(want, presented)) return { ...t.user, groups: [...t.user.groups, 'system:authenticated'] };
  }
  return undefined;
}

/** A bearer token as the server would authenticate it (TokenReview): the token table, then service account JWTs. */
export async function authenticateToken(token: string, tokens: TokenEntry[], jwt?: JwtAuthenticator): Promise<UserInfo | undefined> {
  const user = staticTokenUser(token, tokens);
  if (user || !jwt) return user;
  const sa = await jwt.authenticate(token);
  return sa && { ...sa, groups: [...sa.groups, 'system:authenticated'] };
}

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.has(path) || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/');
}

/** Service account JWTs, checked after certificates and static tokens (see service-account-tokens.ts). */
export interface JwtAuthenticator {
  authenticate(token: string): Promise<UserInfo | undefined>;
}

/** authenticate(), plus bound service account tokens when a JWT authenticator is configured. */
export async function authenticateRequest(req: IncomingMessage, tokens: TokenEntry[], jwt?: JwtAuthenticator): Promise<UserInfo | undefined> {
  const user = authenticate(req, tokens);
  if (user || !jwt) return user;
  const auth = req.headers.authorization;
  if (!auth || !/^bearer /i.test(auth)) return undefined;
  const sa = await jwt.authenticate(auth.slice(7).trim());
  return sa && { ...sa, groups: [...sa.groups, 'system:authenticated'] };
}
