// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins: reads the webhook
// configurations (memoised store lists), picks the webhooks a request matches, calls them and
// applies their answers. Mutating webhooks run one after another in configuration-name order
// (reinvoking IfNeeded ones once when a later webhook changed the object); validating webhooks
// run in parallel. Failure policy, timeouts and dry run follow upstream v1.32.
import { badRequest, internal } from '../../api/errors.js';
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { applyJsonPatch } from '../../api/patch/json-patch.js';
import { selectorIsEmpty } from '../../api/validation/meta.js';
import type { RequestContext } from '../registry/store.js';
import { fromStorage, toStorage } from '../registry/convert.js';
import type { NamespaceLookup } from './namespace-lifecycle.js';
import type { Stores } from './types.js';
import { CallError, postReview, resolveTarget, type ClientConfig } from './webhook-call.js';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches, type MatchAttributes, type Operation, type Rule } from './webhook-match.js';
import { buildReview, denial, readResponse } from './webhook-review.js';

const GROUP = 'admissionregistration.k8s.io';

interface Webhook {
  name: string;
  clientConfig?: ClientConfig;
  rules?: Rule[];
  failurePolicy?: string;
  matchPolicy?: string;
  namespaceSelector?: unknown;
  objectSelector?: unknown;
  sideEffects?: string;
  timeoutSeconds?: number;
  reinvocationPolicy?: string;
}

export interface WebhookRequest {
  operation: Operation;
  info: ResourceInfo;
  subresource: string;
  namespace: string;
  name: string;
  /** The new object in storage form (mutated in place by mutating webhooks); absent on DELETE. */
  obj?: KObject;
  old?: KObject;
  ctx: RequestContext;
}

/** Requests for the webhook configurations themselves never go to webhooks (no lock-out). */
export function exempt(info: ResourceInfo): boolean {
  return info.group === GROUP && (info.resource === 'mutatingwebhookconfigurations' || info.resource === 'validatingwebhookconfigurations');
}

export class WebhookAdmission {
  constructor(private readonly stores: Stores, private readonly lookupNamespace: NamespaceLookup) {}

  /** Runs the mutating webhooks; returns true when one of them changed `req.obj`. */
  async mutate(req: WebhookRequest): Promise<boolean> {
    if (exempt(req.info)) return false;
    const hooks = await this.matching('mutatingwebhookconfigurations', req);
    if (!hooks.length) return false;
    if (!req.obj) {
      // DELETE: upstream calls mutating webhooks too (they may refuse); there is nothing to patch.
      for (const [h, version] of hooks) await this.call(h, version, req);
      return false;
    }
    let changed = false;
    const invoked: Webhook[] = [];
    const reinvoke = new Set<Webhook>();
    for (const [h, version] of hooks) {
      if (await this.callMutating(h, version, req)) {
        changed = true;
        // Upstream: a change by this webhook makes every earlier IfNeeded webhook run again.
        for (const prev of invoked) if (prev.reinvocationPolicy === 'IfNeeded') reinvoke.add(prev);
      }
      invoked.push(h);
    }
    for (const [h, version] of hooks) {
      if (reinvoke.has(h) && (await this.callMutating(h, version, req))) changed = true;
    }
    return changed;
  }

  /** Runs the validating webhooks in parallel; the first refusal (in order) wins. */
  async validate(req: WebhookRequest): Promise<void> {
    if (exempt(req.info)) return;
    const hooks = await this.matching('validatingwebhookconfigurations', req);
    if (!hooks.length) return;
    const results = await Promise.allSettled(hooks.map(([h, version]) => this.call(h, version, req)));
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  /** The webhooks of one kind matching the request, each with the version it is reported in. */
  private async matching(resource: string, req: WebhookRequest): Promise<[Webhook, string][]> {
    const store = this.stores.get(`${GROUP}/${resource}`);
    if (!store) return [];
    const configs = [...(await store.listCached(''))].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
    const attrs: MatchAttributes = {
      operation: req.operation, group: req.info.group, versions: req.info.versions.map((v) => v.version), resource: req.info.resource,
      subresource: req.subresource, namespaced: req.info.namespaced, namespace: req.namespace, obj: req.obj, old: req.old,
    };
    const out: [Webhook, string][] = [];
    let nsObj: KObject | undefined;
    let nsLoaded = false;
    for (const c of configs) {
      for (const w of Array.isArray(c.webhooks) ? c.webhooks : []) {
        if (!isPlainObject(w)) continue;
        const h = w as unknown as Webhook;
        const version = (h.rules ?? []).map((r) => ruleMatches(r, attrs, h.matchPolicy === 'Exact')).find((v) => v !== undefined);
        if (!version) continue;
        if (!objectSelectorMatches(h.objectSelector, attrs)) continue;
        // The Namespace is read only when a selector needs it, once per request.
        if (!nsLoaded && req.namespace && !selectorIsEmpty(h.namespaceSelector)) {
          nsObj = await this.lookupNamespace(req.namespace);
          nsLoaded = true;
        }
        if (!namespaceSelectorMatches(h.namespaceSelector, attrs, nsObj)) continue;
        out.push([h, version]);
      }
    }
    return out;
  }

  /** Calls a mutating webhook and applies its patch to req.obj; true when the object changed. */
  private async callMutating(h: Webhook, version: string, req: WebhookRequest): Promise<boolean> {
    const resp = await this.call(h, version, req);
    if (!resp?.patch || !req.obj) return false;
    if (resp.patchType !== 'JSONPatch') throw internal(`failed calling webhook "${h.name}": unsupported patch type "${resp.patchType ?? ''}"`);
    let patched: unknown;
    try {
      const ops: unknown = JSON.parse(Buffer.from(resp.patch, 'base64').toString('utf8'));
      patched = applyJsonPatch(fromStorage(req.info, version, req.obj), ops);
    } catch (e) {
      // A patch that does not apply carries its reason as `cause` (see api/patch/json-patch).
      const why = e instanceof Error ? (typeof e.cause === 'string' ? e.cause : e.message) : String(e);
      throw internal(`failed calling webhook "${h.name}": ${why}`);
    }
    if (!isPlainObject(patched) || !isPlainObject(patched.metadata)) throw internal(`failed calling webhook "${h.name}": the patched object is not an object`);
    const next = toStorage(req.info, version, patched as KObject);
    if (JSON.stringify(next) === JSON.stringify(req.obj)) return false;
    // The store holds `req.obj`; change it in place.
    for (const k of Object.keys(req.obj)) delete req.obj[k];
    Object.assign(req.obj, next);
    return true;
  }

  /**
   * One webhook call with the failure policy applied: returns the response when allowed, undefined
   * when the call failed and the policy is Ignore; throws the denial or the call error otherwise.
   */
  private async call(h: Webhook, version: string, req: WebhookRequest): Promise<ReturnType<typeof readResponse> | undefined> {
    if (req.ctx.dryRun && h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun') {
      throw badRequest(`admission webhook "${h.name}" does not support dry run`);
    }
    const { uid, review } = buildReview({
      operation: req.operation, info: req.info, version, subresource: req.subresource, namespace: req.namespace, name: req.name,
      obj: req.obj && fromStorage(req.info, version, req.obj), old: req.old && fromStorage(req.info, version, req.old), ctx: req.ctx,
    });
    let resp;
    try {
      const target = await resolveTarget(h.clientConfig ?? {}, this.stores, h.timeoutSeconds ?? 10);
      resp = readResponse(await postReview(target, h.clientConfig?.caBundle, review, h.timeoutSeconds ?? 10), uid);
    } catch (e) {
      if (!(e instanceof CallError) && !(e instanceof TypeError)) throw e;
      if (h.failurePolicy === 'Ignore') return undefined;
      throw internal(`failed calling webhook "${h.name}": ${e.message}`);
    }
    if (resp.warnings) req.ctx.warnings.push(...resp.warnings);
    if (!resp.allowed) throw denial(h.name, resp.status);
    return resp;
  }
}
