// Worker-thread entry for the ingress controller: config comes in workerData; a 'stop' message
// (or the parent going away) aborts it, and 'stopped' is posted when it has finished. Its own
// thread keeps proxied traffic off the API server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { setMaxListeners } from 'node:events';
import { createLogger } from '../util/log.js';
import { startIngress } from './ingress.js';
import type { IngressWorkerData } from './ingress.js';

const ac = new AbortController();
setMaxListeners(0, ac.signal);
parentPort?.on('message', (m) => {
  if (m === 'stop') ac.abort();
});
const data = workerData as IngressWorkerData;
startIngress(data.cfg, createLogger({ level: data.logLevel, component: 'server/ingress' }), ac.signal)
  .catch((e) => process.stderr.write(`ingress controller failed: ${(e as Error).stack ?? e}\n`))
  .finally(() => parentPort?.postMessage('stopped'));
