// Durability: objects survive a restart on the same data dir, and nothing acknowledged is lost
// when the server is killed with SIGKILL during a stream of creates.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rawRequest } from './harness.js';
import type { KtsServer } from './harness.js';

let srv: KtsServer | undefined;
after(async () => {
  await srv?.cleanup();
});

test('restart keeps everything; kill -9 loses no acknowledged write', async () => {
  srv = await startServer();
  assert.equal(srv.kubectl(['create', 'namespace', 'keep']).code, 0);
  assert.equal(srv.kubectl(['create', 'configmap', 'kept', '-n', 'keep', '--from-literal=k=v']).code, 0);
  const svcBefore = srv.kubectl(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']).stdout;
  await srv.restart();
  assert.equal(srv.kubectl(['get', 'cm', 'kept', '-n', 'keep', '-o', 'jsonpath={.data.k}']).stdout, 'v');
  assert.equal(srv.kubectl(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']).stdout, svcBefore);

  // A stream of creates from 4 concurrent clients; SIGKILL mid-stream.
  const acked: string[] = [];
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const name = `c-${w}-${i}`;
      try {
        const r = await rawRequest(srv!, 'POST', '/api/v1/namespaces/keep/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } }), { 'Content-Type': 'application/json' });
        if (r.status === 201) acked.push(name);
      } catch {
        return;
      }
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  await new Promise((r) => setTimeout(r, 1500));
  await srv.stop('SIGKILL');
  stop = true;
  await Promise.all(workers);
  assert.ok(acked.length > 20, `only ${acked.length} creates acknowledged`);
  await srv.restart();
  const list = await rawRequest(srv, 'GET', '/api/v1/namespaces/keep/configmaps');
  const names = new Set((JSON.parse(list.body) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name));
  const lost = acked.filter((n) => !names.has(n));
  assert.deepEqual(lost, [], `lost ${lost.length} of ${acked.length} acknowledged creates`);
});
