// Bound service account tokens (upstream's TokenRequest API and its JWT authenticator):
// `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token` issues an RS256 JWT with upstream's claims
// (iss, sub system:serviceaccount:NS:NAME, aud, iat/nbf/exp, and the `kubernetes.io` claim with the
// namespace, the account and the bound pod or secret), and the authenticator accepts such tokens
// while they are unexpired and the account (and bound object) still exist with the same uid.
import { randomUUID } from 'node:crypto';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { KObject } from '../api/types.js';
import { StatusError, badRequest, fieldErrors, invalid, notFound, type FieldError } from '../api/errors.js';
import { signJwt, verifyJwt, type JwtClaims } from '../util/jwt.js';
import type { Store } from './registry/store.js';
import type { UserInfo } from './authn.js';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const DEFAULT_EXPIRATION_SECONDS = 3600;

export interface ServiceAccountKey {
  privateKeyPem: string;
  publicKeyPem: string;
}

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
}

interface KubernetesClaim {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
}

export class ServiceAccountTokens {
  private readonly publicKey: KeyObject;
  readonly issuer: string;
  readonly audiences: string[];

  constructor(
    private readonly key: ServiceAccountKey,
    private readonly stores: Map<string, Store>,
    opts: { issuer?: string; audiences?: string[]; now?: () => number } = {},
  ) {
    this.publicKey = createPublicKey(key.publicKeyPem);
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.audiences = opts.audiences ?? [this.issuer];
    this.now = opts.now ?? Date.now;
  }

  private readonly now: () => number;

  /** Serves a TokenRequest for `namespace/name`; returns the TokenRequest with its status. */
  async request(namespace: string, name: string, body: KObject): Promise<KObject> {
    if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`expected kind TokenRequest, got ${body.kind}`);
    const spec = (body.spec ?? {}) as TokenRequestSpec;
    const exp = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    const errs: FieldError[] = [];
    if (!Number.isInteger(exp) || exp < MIN_EXPIRATION_SECONDS) errs.push(fieldErrors.invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes'));
    else if (exp > MAX_EXPIRATION_SECONDS) errs.push(fieldErrors.invalid('spec.expirationSeconds', exp, 'may not specify a duration larger than 2^32 seconds'));
    if (errs.length) throw invalid('authentication.k8s.io', 'TokenRequest', name, errs);
    const sa = await this.stores.get('/serviceaccounts')!.tryGet(namespace, name);
    if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, name);
    const claim: KubernetesClaim = { namespace, serviceaccount: { name, uid: sa.metadata.uid! } };
    const ref = spec.boundObjectRef;
    if (ref) {
      const kind = ref.kind === 'Pod' ? 'pod' : ref.kind === 'Secret' ? 'secret' : undefined;
      if (!kind || (ref.apiVersion ?? 'v1') !== 'v1') throw badRequest(`cannot bind token for object of kind ${ref.kind ?? '""'} (apiVersion ${ref.apiVersion ?? '""'}): only v1 Pod and Secret are supported`);
      const obj = await this.stores.get(kind === 'pod' ? '/pods' : '/secrets')!.tryGet(namespace, ref.name ?? '');
      if (!obj) throw notFound({ group: '', resource: `${kind}s` }, ref.name ?? '');
      if (ref.uid && ref.uid !== obj.metadata.uid) {
        throw new StatusError(409, 'Conflict', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
      }
      claim[kind] = { name: obj.metadata.name!, uid: obj.metadata.uid! };
    }
    const iat = Math.floor(this.now() / 1000);
    const audiences = spec.audiences?.length ? spec.audiences : this.audiences;
    const claims: JwtClaims = { aud: audiences, exp: iat + exp, iat, iss: this.issuer, jti: randomUUID(), 'kubernetes.io': claim, nbf: iat, sub: `system:serviceaccount:${namespace}:${name}` };
    const token = signJwt(claims, this.key.privateKeyPem);
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: new Date(iat * 1000).toISOString().replace(/\.\d+Z$/, 'Z') },
      spec: { audiences, expirationSeconds: exp, boundObjectRef: ref ?? null },
      status: { token, expirationTimestamp: new Date((iat + exp) * 1000).toISOString().replace(/\.\d+Z$/, 'Z') },
    };
  }

  /** The service account a bearer token stands for; undefined when it is not a valid, live one. */
  async authenticate(token: string): Promise<UserInfo | undefined> {
    const claims = verifyJwt(token, this.publicKey);
    if (!claims || claims.iss !== this.issuer) return undefined;
    const now = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
    if (typeof claims.nbf === 'number' && claims.nbf > now + 60) return undefined;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => this.audiences.includes(a as string))) return undefined;
    const k = claims['kubernetes.io'] as KubernetesClaim | undefined;
    if (!k?.namespace || !k.serviceaccount?.name) return undefined;
    if (claims.sub !== `system:serviceaccount:${k.namespace}:${k.serviceaccount.name}`) return undefined;
    // Bound tokens die with what they are bound to.
    const sa = await this.stores.get('/serviceaccounts')!.tryGet(k.namespace, k.serviceaccount.name);
    if (!sa || sa.metadata.uid !== k.serviceaccount.uid || sa.metadata.deletionTimestamp) return undefined;
    for (const [kind, ref] of [['/pods', k.pod], ['/secrets', k.secret]] as const) {
      if (!ref) continue;
      const obj = await this.stores.get(kind)!.tryGet(k.namespace, ref.name);
      if (!obj || obj.metadata.uid !== ref.uid) return undefined;
    }
    return { name: claims.sub as string, groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`] };
  }
}
