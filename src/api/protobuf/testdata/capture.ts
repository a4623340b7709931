/* eslint-disable no-restricted-imports -- a developer tool standing up a fake API server; nothing imports it. */
// Regenerates the fixtures beside this file: for each typed `kubectl create` command, the protobuf
// body kubectl 1.32 POSTs (<name>.bin) and the JSON body kubectl 1.31 POSTs for the same command
// (<name>.json), so the decoder's output can be checked against what a JSON client really sends.
// Starts a throwaway HTTPS server (kts's own PKI, discovery and kubeconfig code) that serves just
// enough discovery for kubectl, records each POST body and answers 201.
//   node --import tsx src/api/protobuf/testdata/capture.ts <kubectl-1.32> <kubectl-1.31>
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { builtinResources } from '../../resources.js';
import { Discovery } from '../../../apiserver/discovery.js';
import { ensurePki } from '../../../server/pki.js';
import { renderKubeconfig } from '../../../server/kubeconfig.js';

const here = dirname(fileURLToPath(import.meta.url));
const [kubectlProtobuf, kubectlJson] = process.argv.slice(2);

/** fixture name → kubectl arguments (after `create`); BINARY is replaced by a file of non-UTF-8 bytes. */
const commands: Record<string, string[]> = {
  namespace: ['namespace', 'x'],
  configmap: ['configmap', 'cm', '--from-literal=a=1', '--from-literal=b=two', '--from-file=blob=BINARY', '-n', 'default'],
  deployment: ['deployment', 'web', '--image=nginx', '--replicas=2', '--port=80', '-n', 'default'],
  secret: ['secret', 'generic', 's', '--from-literal=password=hunter2', '--from-literal=empty=', '-n', 'default'],
  service: ['service', 'nodeport', 'svc', '--tcp=80:http', '--node-port=30080', '-n', 'default'],
  serviceaccount: ['serviceaccount', 'sa', '-n', 'default'],
  job: ['job', 'j', '--image=busybox', '-n', 'default', '--', 'echo', 'hi'],
  cronjob: ['cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '-n', 'default', '--', 'date'],
  quota: ['quota', 'q', '--hard=cpu=1,memory=1Gi,pods=2', '--scopes=NotBestEffort', '-n', 'default'],
  pdb: ['pdb', 'p', '--selector=app=web', '--max-unavailable=25%', '-n', 'default'],
  priorityclass: ['priorityclass', 'pc', '--value=-5', '--description=low', '--preemption-policy=Never'],
  ingress: ['ingress', 'ing', '--rule=foo.com/bar*=svc1:8080,tls=my-cert', '--class=nginx', '-n', 'default'],
  role: ['role', 'r', '--verb=get,list', '--resource=pods,deployments.apps', '-n', 'default'],
  rolebinding: ['rolebinding', 'rb', '--role=r', '--user=alice', '--serviceaccount=default:sa', '-n', 'default'],
  clusterrole: ['clusterrole', 'cr', '--verb=get', '--non-resource-url=/healthz'],
  aggregatedclusterrole: ['clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate=true'],
  clusterrolebinding: ['clusterrolebinding', 'crb', '--clusterrole=cr', '--group=devs'],
};

const discovery = new Discovery(builtinResources);

function discoveryBody(path: string): object | undefined {
  if (path === '/version') return { major: '1', minor: '32', gitVersion: 'v1.32.4-kts' };
  if (path === '/api') return discovery.apiVersions('127.0.0.1:0');
  if (path === '/apis') return discovery.apiGroupList();
  if (path === '/api/v1') return discovery.resourceList('', 'v1');
  const m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  return m ? discovery.resourceList(m[1]!, m[2]!) : undefined;
}

async function main(): Promise<void> {
  if (!kubectlProtobuf || !kubectlJson) throw new Error('usage: capture.ts <kubectl-1.32> <kubectl-1.31>');
  const dir = await mkdtemp(join(tmpdir(), 'kts-pb-capture-'));
  let server: Server | undefined;
  try {
    const pki = await ensurePki(join(dir, 'tls'), { sans: { dns: [], ips: [] } });
    const bodies: Buffer[] = [];
    server = createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.clientCaCertPem, requestCert: true }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0]!;
        res.setHeader('Content-Type', 'application/json');
        if (req.method === 'POST') {
          bodies.push(Buffer.concat(chunks));
          res.writeHead(201).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }));
          return;
        }
        const body = discoveryBody(path);
        if (body) res.writeHead(200).end(JSON.stringify(body));
        else res.writeHead(404).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404 }));
      });
    });
    const srv = server;
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const address = srv.address();
    if (address === null || typeof address === 'string') throw new Error('no listening port');
    const binary = join(dir, 'blob.bin');
    await writeFile(binary, Buffer.from([0xff, 0xfe, 0x00, 0x80]));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, renderKubeconfig({
      server: `https://127.0.0.1:${address.port}`, caPem: pki.caCertPem, clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem,
    }));
    const capture = async (kubectl: string, args: string[]): Promise<Buffer> => {
      bodies.length = 0;
      const dash = args.includes('--') ? args.indexOf('--') : args.length;
      const own = ['--validate=false', '--kubeconfig', kubeconfig];
      const argv = ['create', ...[...args.slice(0, dash), ...own, ...args.slice(dash)].map((a) => a.replace('BINARY', binary))];
      await promisify(execFile)(kubectl, argv, { env: { ...process.env, HOME: dir } });
      if (bodies.length !== 1) throw new Error(`kubectl ${argv.join(' ')}: expected one POST body, got ${bodies.length}`);
      return bodies[0]!;
    };
    for (const [name, args] of Object.entries(commands)) {
      const pb = await capture(kubectlProtobuf!, args);
      const json = await capture(kubectlJson!, args);
      await writeFile(join(here, `${name}.bin`), pb);
      await writeFile(join(here, `${name}.json`), JSON.stringify(JSON.parse(json.toString('utf8')), null, 2) + '\n');
      console.log(`${name}: ${pb.length} bytes of protobuf, ${json.length} bytes of JSON`);
    }
  } finally {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
