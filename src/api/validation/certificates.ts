// certificates.k8s.io: CertificateSigningRequest (upstream pkg/apis/certificates/validation): the
// request must be a PEM CSR, signerName qualified, usages known and unique, expirationSeconds at
// least 600; conditions well-formed (Approved/Denied True only, not both); the approval conditions
// cannot be removed once set, and an issued certificate cannot be changed.
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { CsrParseError, parseCsrPem } from '../csr.js';
import { arr, invalidRaw, num, obj, str } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Subdomain } from './names.js';

export const KEY_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign',
  'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime',
  'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
];
const CONDITION_TYPES = ['Approved', 'Denied', 'Failed'];
const CONDITION_STATUSES = ['True', 'False', 'Unknown'];

/** Upstream does not restrict CSR names beyond being present. */
const anyName = (): string[] => [];

/** spec.request as a string (it travels base64-encoded in JSON). */
export function csrRequestPem(csr: KObject): string {
  const r = str(obj(csr.spec)?.request);
  return r ? Buffer.from(r, 'base64').toString('utf8') : '';
}

export function validateSignerName(signer: string | undefined, path: string): FieldError[] {
  if (!signer) return [fieldErrors.required(path, '')];
  const i = signer.indexOf('/');
  if (i <= 0 || i === signer.length - 1) return [fieldErrors.invalid(path, signer, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const domainErrs = isDNS1123Subdomain(signer.slice(0, i));
  if (domainErrs.length) return [fieldErrors.invalid(path, signer, `validating domain component: ${domainErrs.join(', ')}`)];
  return [];
}

export function validateCsr(csr: KObject): FieldError[] {
  const spec = obj(csr.spec) ?? {};
  const errs = validateObjectMeta(csr.metadata, false, anyName);
  const pem = csrRequestPem(csr);
  if (!pem) errs.push(fieldErrors.required('spec.request', ''));
  else {
    try {
      parseCsrPem(pem);
    } catch (e) {
      if (!(e instanceof CsrParseError)) throw e;
      errs.push(invalidRaw('spec.request', '[]byte{...}', e.message));
    }
  }
  const usages = arr(spec.usages);
  if (usages.length === 0) errs.push(fieldErrors.required('spec.usages', 'usages must be provided'));
  const seen = new Set<unknown>();
  usages.forEach((u, i) => {
    if (typeof u !== 'string' || !KEY_USAGES.includes(u)) errs.push(fieldErrors.notSupported(`spec.usages[${i}]`, u, KEY_USAGES));
    else if (seen.has(u)) errs.push(fieldErrors.duplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  errs.push(...validateSignerName(str(spec.signerName), 'spec.signerName'));
  if (spec.signerName === 'kubernetes.io/legacy-unknown') errs.push(fieldErrors.invalid('spec.signerName', spec.signerName, 'the legacy signerName is not allowed via this API version'));
  const exp = num(spec.expirationSeconds);
  if (exp !== undefined && exp < 600) errs.push(fieldErrors.invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 600 seconds (10 minutes)'));
  errs.push(...validateConditions(csr));
  return errs;
}

function conditions(csr: KObject): { type?: unknown; status?: unknown }[] {
  return arr(obj(csr.status)?.conditions).map((c) => obj(c) ?? {});
}

function validateConditions(csr: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  const list = conditions(csr);
  list.forEach((c, i) => {
    const path = `status.conditions[${i}]`;
    const type = str(c.type);
    if (!type) errs.push(fieldErrors.required(`${path}.type`, ''));
    else if (seen.has(type) && CONDITION_TYPES.includes(type)) errs.push(fieldErrors.duplicate(`${path}.type`, type));
    if (type) seen.add(type);
    const status = str(c.status);
    if (!status) errs.push(fieldErrors.required(`${path}.status`, ''));
    else if (type === 'Approved' || type === 'Denied') {
      if (status !== 'True') errs.push(fieldErrors.notSupported(`${path}.status`, status, ['True']));
    } else if (!CONDITION_STATUSES.includes(status)) errs.push(fieldErrors.notSupported(`${path}.status`, status, CONDITION_STATUSES));
  });
  if (seen.has('Approved') && seen.has('Denied')) errs.push(fieldErrors.invalid('status.conditions', 'Approved', 'Approved and Denied conditions are mutually exclusive'));
  return errs;
}

/** Update of the main resource or the approval: metadata rules, conditions, approvals kept. */
export function validateCsrUpdate(csr: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(csr.metadata, old.metadata), ...validateConditions(csr)];
  const now = new Set(conditions(csr).map((c) => c.type));
  for (const t of ['Approved', 'Denied']) {
    if (conditions(old).some((c) => c.type === t) && !now.has(t)) errs.push(fieldErrors.invalid('status.conditions', t, `updates may not remove a condition of type "${t}"`));
  }
  if (now.has('Failed') === false && conditions(old).some((c) => c.type === 'Failed')) errs.push(fieldErrors.invalid('status.conditions', 'Failed', 'updates may not remove a condition of type "Failed"'));
  return errs;
}

/** Status update: the above, plus the certificate: PEM CERTIFICATE blocks only, set once. */
export function validateCsrStatusUpdate(csr: KObject, old: KObject): FieldError[] {
  const errs = validateCsrUpdate(csr, old);
  const cert = str(obj(csr.status)?.certificate) ?? '';
  const oldCert = str(obj(old.status)?.certificate) ?? '';
  if (oldCert && cert !== oldCert) errs.push(fieldErrors.forbidden('status.certificate', 'updates may not modify existing certificate content'));
  else if (cert && !oldCert) {
    const text = Buffer.from(cert, 'base64').toString('utf8');
    const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)];
    if (!blocks.length || blocks.some((b) => b[1] !== 'CERTIFICATE')) errs.push(invalidRaw('status.certificate', '"<certificate data>"', 'must contain at least one CERTIFICATE PEM block'));
    const approved = conditions(csr).some((c) => c.type === 'Approved');
    if (!approved) errs.push(fieldErrors.forbidden('status.certificate', 'certificate may not be set unless the Approved condition is present'));
    if (conditions(csr).some((c) => c.type === 'Denied')) errs.push(fieldErrors.forbidden('status.certificate', 'certificate may not be set if the Denied condition is present'));
  }
  return errs;
}
