// Protobuf vs JSON request decoding (issue 3): the same objects as kubectl 1.32 sends them
// (protobuf) and as kubectl 1.31 sends them (JSON), decoded side by side in one run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtobufBody } from '../src/api/protobuf/index.js';
import { findDuplicateFields } from '../src/api/schema/duplicate-fields.js';

const dir = new URL('../src/api/protobuf/testdata/', import.meta.url).pathname;
const kinds = ['deployment', 'service', 'configmap', 'cronjob', 'ingress', 'clusterrole'];

export function protobufBench(iterations = 20000): [string, string, string][] {
  const pb = kinds.map((k) => readFileSync(join(dir, `${k}.bin`)));
  const js = kinds.map((k) => readFileSync(join(dir, `${k}.json`)));
  const time = (fn: () => void) => {
    for (let i = 0; i < 2000; i++) fn(); // warm up
    const t = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    return (performance.now() - t) / iterations;
  };
  let i = 0;
  const pb1 = () => decodeProtobufBody(pb[i++ % pb.length]!);
  // kts decodes a JSON body with JSON.parse plus the duplicate-field scan (fieldValidation Warn/Strict).
  const js1 = () => {
    const text = js[i++ % js.length]!.toString('utf8');
    JSON.parse(text);
    findDuplicateFields(text);
  };
  // Interleaved rounds, the best of each: both see the same machine noise.
  let pbMs = Infinity;
  let jsMs = Infinity;
  for (let round = 0; round < 5; round++) {
    i = 0;
    pbMs = Math.min(pbMs, time(pb1));
    i = 0;
    jsMs = Math.min(jsMs, time(js1));
  }
  return [['decode a typed-create body: protobuf vs JSON (parse + duplicate scan)', `${(pbMs * 1000).toFixed(1)} µs vs ${(jsMs * 1000).toFixed(1)} µs (${(pbMs / jsMs).toFixed(2)}x)`, 'protobuf no slower than JSON']];
}

if (import.meta.url === `file://${process.argv[1]}`) for (const r of protobufBench()) console.log(r.join('  '));
