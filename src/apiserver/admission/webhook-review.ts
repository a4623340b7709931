// AdmissionReview v1: building the request a webhook receives and reading its response, with
// upstream's error wording for denials and malformed replies.
import { randomUUID } from 'node:crypto';
import { StatusError } from '../../api/errors.js';
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { RequestContext } from '../registry/store.js';
import { CallError } from './webhook-call.js';
import type { Operation } from './webhook-match.js';

export interface ReviewInput {
  operation: Operation;
  info: ResourceInfo;
  version: string;
  subresource: string;
  namespace: string;
  name: string;
  /** New object (undefined on DELETE), in `version`. */
  obj?: KObject;
  old?: KObject;
  ctx: RequestContext;
}

export interface AdmissionResponse {
  allowed: boolean;
  status?: { code?: number; message?: string; reason?: string; status?: string };
  patch?: string;
  patchType?: string;
  warnings?: string[];
}

/** The options object upstream sends along (CreateOptions, UpdateOptions or DeleteOptions). */
function optionsFor(input: ReviewInput): Record<string, unknown> {
  const kind = input.operation === 'CREATE' ? 'CreateOptions' : input.operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
  const o: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1' };
  if (input.ctx.dryRun) o.dryRun = ['All'];
  if (input.ctx.fieldManager && kind !== 'DeleteOptions') o.fieldManager = input.ctx.fieldManager;
  return o;
}

export function buildReview(input: ReviewInput): { uid: string; review: Record<string, unknown> } {
  const uid = randomUUID();
  const { info, version } = input;
  const kind = { group: info.group, version, kind: info.kind };
  const resource = { group: info.group, version, resource: info.resource };
  const request: Record<string, unknown> = { uid, kind, resource };
  if (input.subresource) request.subResource = input.subresource;
  request.requestKind = kind;
  request.requestResource = resource;
  if (input.subresource) request.requestSubResource = input.subresource;
  if (input.name) request.name = input.name;
  if (input.namespace) request.namespace = input.namespace;
  request.operation = input.operation;
  request.userInfo = { username: input.ctx.user.name, groups: input.ctx.user.groups };
  request.object = input.obj ?? null;
  request.oldObject = input.old ?? null;
  request.dryRun = input.ctx.dryRun;
  request.options = optionsFor(input);
  return { uid, review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request } };
}

/** Checks the reply is an AdmissionReview v1 for our request; returns its response. */
export function readResponse(reply: unknown, uid: string): AdmissionResponse {
  if (!isPlainObject(reply) || reply.apiVersion !== 'admission.k8s.io/v1' || reply.kind !== 'AdmissionReview') {
    const got = isPlainObject(reply) ? `${String(reply.apiVersion ?? '')}, Kind=${String(reply.kind ?? '')}` : 'a non-object';
    throw new CallError(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${got}`);
  }
  const r = reply.response;
  if (!isPlainObject(r)) throw new CallError('webhook response was absent');
  if (r.uid !== uid) throw new CallError(`expected response.uid="${uid}", got "${String(r.uid ?? '')}"`);
  if (typeof r.allowed !== 'boolean') throw new CallError('webhook response must set allowed');
  const out: AdmissionResponse = { allowed: r.allowed };
  if (isPlainObject(r.status)) out.status = r.status as AdmissionResponse['status'];
  if (typeof r.patch === 'string') out.patch = r.patch;
  if (typeof r.patchType === 'string') out.patchType = r.patchType;
  if (Array.isArray(r.warnings)) out.warnings = r.warnings.filter((w): w is string => typeof w === 'string');
  return out;
}

/** `admission webhook "x" denied the request: <message>` with the webhook's code (at least 400). */
export function denial(webhook: string, status: AdmissionResponse['status']): StatusError {
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const code = status?.code && status.code >= 400 ? status.code : 400;
  const message = status?.message ? `${deniedBy}: ${status.message}` : status?.reason ? `${deniedBy}: ${status.reason}` : `${deniedBy} without explanation`;
  return new StatusError(code, status?.reason ?? '', message);
}
