// `kubectl apply --server-side` of a 50-object manifest (issue 3's target: under 2 s), with the real
// kubectl against a running server: the first run with an empty kubectl cache (discovery and
// OpenAPI fetched, as a new user's first apply), then the median of three warm runs that each
// change every object. The server's share is the sum of its request times from kubectl's -v=6 log.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function applyBench(kubeconfig: string): [string, string, string][] {
  const home = mkdtempSync(join(tmpdir(), 'kts-bench-apply-'));
  const env = { PATH: process.env.PATH, HOME: home, KUBECONFIG: kubeconfig };
  const kubectl = (args: string[]) => {
    const t = performance.now();
    const r = spawnSync('kubectl', args, { env, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    const server = [...r.stderr.matchAll(/ in (\d+) milliseconds/g)].reduce((a, m) => a + Number(m[1]), 0);
    return { ms: performance.now() - t, serverMs: server };
  };
  const manifest = (gen: number) => {
    const docs = [`apiVersion: v1\nkind: Namespace\nmetadata: {name: apply-bench}`];
    for (let i = 0; i < 49; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${i}, namespace: apply-bench, labels: {gen: "${gen}"}}\ndata: {key: "value-${gen}-${i}", other: "${'x'.repeat(200)}"}`);
    const file = join(home, `m${gen}.yaml`);
    writeFileSync(file, docs.join('\n---\n'));
    return file;
  };
  const cold = kubectl(['apply', '--server-side', '-v=6', '-f', manifest(0)]);
  const warm = [1, 2, 3].map((g) => kubectl(['apply', '--server-side', '-v=6', '-f', manifest(g)])).sort((a, b) => a.ms - b.ms)[1]!;
  kubectl(['delete', 'namespace', 'apply-bench', '--wait=false']);
  const f = (r: { ms: number; serverMs: number }) => `${(r.ms / 1000).toFixed(2)} s (server ${(r.serverMs / 1000).toFixed(2)} s)`;
  return [
    ['kubectl apply --server-side, 50 objects: first run (cold kubectl cache)', f(cold), '< 2 s'],
    ['kubectl apply --server-side, 50 objects changed: warm (median of 3)', f(warm), '< 2 s'],
  ];
}
