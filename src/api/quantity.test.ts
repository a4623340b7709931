import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, cmp, formatQuantity, parseQuantity } from './quantity.js';
import type { Quantity } from './quantity.js';

const q = (s: string): Quantity => {
  const v = parseQuantity(s);
  assert.ok(v, `parse ${s}`);
  return v;
};

test('canonical strings are what Quantity.String() prints', () => {
  const cases: [string, string][] = [
    ['100m', '100m'], ['0.1', '100m'], ['1', '1'], ['1000m', '1'], ['1500m', '1500m'], ['2000', '2k'],
    ['1Gi', '1Gi'], ['1024Mi', '1Gi'], ['1.5Gi', '1536Mi'], ['512', '512'], ['1500Ki', '1500Ki'],
    ['0', '0'], ['1e3', '1e3'], ['5G', '5G'], ['-200m', '-200m'],
  ];
  for (const [input, want] of cases) assert.equal(formatQuantity(q(input)), want, input);
});

test('sums keep the first non-zero operand format; comparisons are exact', () => {
  assert.equal(formatQuantity(add(q('1Gi'), q('512Mi'))), '1536Mi');
  assert.equal(formatQuantity(add(q('0'), q('1Gi'))), '1Gi');
  assert.equal(formatQuantity(add(q('100m'), q('900m'))), '1');
  assert.equal(cmp(q('1Gi'), q('1073741824')), 0);
  assert.equal(cmp(q('1G'), q('1Gi')), -1);
  assert.equal(parseQuantity('abc'), undefined);
  assert.equal(parseQuantity('1Xi'), undefined);
});
