import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expand, expandCommandAndArgs, expandStatic, mappingFor } from './expansion.js';

const m = mappingFor({ A: 'a', EMPTY: '' }, { B: 'b', A: 'shadowed' });

test('references are replaced; unknown ones stay as written', () => {
  assert.equal(expand('$(A)-$(B)', m), 'a-b');
  assert.equal(expand('x$(EMPTY)y', m), 'xy');
  assert.equal(expand('$(NOPE) and $(A)', m), '$(NOPE) and a');
});

test('$$ escapes, lone and trailing $ and unclosed $( are kept', () => {
  assert.equal(expand('$$(A)', m), '$(A)');
  assert.equal(expand('$$$(A)', m), '$a');
  assert.equal(expand('cost: $5', m), 'cost: $5');
  assert.equal(expand('end$', m), 'end$');
  assert.equal(expand('$(A', m), '$(A');
  assert.equal(expand('$()', m), '$()');
  assert.equal(expand('', m), '');
});

test('command and args use the final env; exec probes only literal values', () => {
  const r = expandCommandAndArgs({ command: ['echo', '$(X)'], args: ['$(Y)', '$$(X)'] }, [{ key: 'X', value: '1' }, { key: 'Y', value: '2' }]);
  assert.deepEqual(r, { command: ['echo', '1'], args: ['2', '$(X)'] });
  assert.deepEqual(expandStatic(['$(X)', '$(Y)'], [{ name: 'X', value: 'v' }, { name: 'Y', valueFrom: {} } as never]), ['v', '$(Y)']);
});
