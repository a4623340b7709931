// kubectl apply --server-side against kts: create and update, conflicts between field managers,
// --force-conflicts, removal of dropped fields, migration from client-side apply, managedFields
// display, and a 50-object manifest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.js';
import type { KtsServer } from './harness.js';

let srv: KtsServer;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

const cm = (data: Record<string, string>) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}
`;

interface Obj { metadata: { managedFields?: { manager: string; operation: string }[] }; data?: Record<string, string> }
function get(name: string, extra: string[] = []): Obj {
  const r = srv.kubectl(['get', 'configmap', name, '-o', 'json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Obj;
}

test('apply --server-side creates, updates, conflicts, forces and prunes', () => {
  let r = srv.kubectl(['apply', '--server-side', '-f', '-'], { input: cm({ owner: 'me', keep: 'yes' }) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /configmap\/settings serverside-applied/);
  assert.equal(get('settings').metadata.managedFields, undefined, 'kubectl hides managedFields');
  const shown = get('settings', ['--show-managed-fields']);
  assert.deepEqual(shown.metadata.managedFields?.map((m) => [m.manager, m.operation]), [['kubectl', 'Apply']]);

  r = srv.kubectl(['apply', '--server-side', '--field-manager=team-a', '-f', '-'], { input: cm({ owner: 'team-a' }) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /conflict with "kubectl"/);
  assert.match(r.stderr, /\.data\.owner/);

  r = srv.kubectl(['apply', '--server-side', '--field-manager=team-a', '--force-conflicts', '-f', '-'], { input: cm({ owner: 'team-a' }) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(get('settings').data?.owner, 'team-a');

  r = srv.kubectl(['apply', '--server-side', '-f', '-'], { input: cm({ owner: 'me' }) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /conflict with "team-a"/);

  // kubectl drops `keep` (and no longer applies `owner`, now team-a's): keep is removed.
  r = srv.kubectl(['apply', '--server-side', '-f', '-'], { input: cm({ other: '1' }) });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(get('settings').data, { owner: 'team-a', other: '1' });
});

test('client-side apply then server-side apply migrates ownership', () => {
  let r = srv.kubectl(['apply', '-f', '-'], { input: cm({ a: '1', b: '2' }).replace('settings', 'migrated') });
  assert.equal(r.code, 0, r.stderr);
  const before = get('migrated', ['--show-managed-fields']);
  assert.ok(before.metadata.managedFields?.some((m) => m.manager === 'kubectl-client-side-apply'));
  // A changed value does not conflict with the client-side applier: kubectl took its fields over.
  r = srv.kubectl(['apply', '--server-side', '-f', '-'], { input: cm({ a: '9' }).replace('settings', 'migrated') });
  assert.equal(r.code, 0, r.stderr);
  const after = get('migrated', ['--show-managed-fields']);
  // kubectl moves the client-side applier's fields to its own Apply entry and applies again, so b
  // (set by the client-side apply only) is pruned within the same command.
  assert.deepEqual(after.data, { a: '9' });
  assert.ok(!after.metadata.managedFields?.some((m) => m.manager === 'kubectl-client-side-apply'), JSON.stringify(after.metadata.managedFields));
  assert.ok(after.metadata.managedFields?.some((m) => m.manager === 'kubectl' && m.operation === 'Apply'));
});

test('apply --server-side of a 50-object manifest', () => {
  const docs = Array.from({ length: 50 }, (_, i) => cm({ i: String(i) }).replace('settings', `bulk-${i}`)).join('---\n');
  const t0 = Date.now();
  const r = srv.kubectl(['apply', '--server-side', '-f', '-'], { input: docs, timeoutMs: 30_000 });
  const ms = Date.now() - t0;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 50);
  console.log(`50-object server-side apply: ${ms} ms`);
  // Again, unchanged: no conflicts with ourselves, nothing pruned.
  const again = srv.kubectl(['apply', '--server-side', '-f', '-'], { input: docs, timeoutMs: 30_000 });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(get('bulk-7').data?.i, '7');
});
