// Worker-thread entry for the control loops: config comes in workerData; a 'stop' message (or
// the parent going away) aborts them, and 'stopped' is posted when they have finished.
import { parentPort, workerData } from 'node:worker_threads';
import { setMaxListeners } from 'node:events';
import { runControlLoops } from './control-loops.js';
import type { ControlLoopsConfig } from './control-loops.js';

const ac = new AbortController();
setMaxListeners(0, ac.signal);
parentPort?.on('message', (m) => {
  if (m === 'stop') ac.abort();
});
runControlLoops(workerData as ControlLoopsConfig, ac.signal)
  .catch((e) => process.stderr.write(`control loops failed: ${(e as Error).stack ?? e}\n`))
  .finally(() => parentPort?.postMessage('stopped'));
