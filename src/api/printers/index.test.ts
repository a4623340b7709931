import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../resources.js';
import { defaultPrinter, tablePrinter } from './index.js';

const now = Date.parse('2024-05-01T12:00:00Z');

// Upstream registers no printer for these; they get the default NAME / CREATED AT table.
const DEFAULT_TABLE = new Set(['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterroles', '/limitranges', 'apiextensions.k8s.io/customresourcedefinitions']);

test('every built-in resource has its printer, or the default table where upstream has none', () => {
  for (const r of builtinResources) {
    // Create-only resources (access reviews, token reviews) are never read back: nothing to print.
    if (r.verbs && !r.verbs.includes('get') && !r.verbs.includes('list')) continue;
    const key = `${r.group}/${r.resource}`;
    const printer = tablePrinter(r.group, r.resource);
    assert.equal(printer === undefined, DEFAULT_TABLE.has(key), key);
  }
  assert.equal(tablePrinter('example.com', 'widgets'), undefined);
});

test('every printer yields one cell per column, even for an empty object', () => {
  for (const r of builtinResources) {
    const printer = tablePrinter(r.group, r.resource) ?? defaultPrinter;
    const key = `${r.group}/${r.resource}`;
    const cells = printer.row({ metadata: { name: 'x', creationTimestamp: '2024-05-01T11:00:00Z' } }, now);
    assert.equal(cells.length, printer.columns.length, key);
    assert.ok(cells.every((c) => ['string', 'number', 'boolean'].includes(typeof c)), key);
    assert.equal(printer.columns.filter((c) => c.format === 'name').length, 1, key);
    // Events lead with LAST SEEN upstream; every other table leads with the name.
    if (key !== '/events' && key !== 'events.k8s.io/events') assert.equal(printer.columns[0]!.name, 'Name', key);
  }
});

test('the default table: Name and Created At in RFC 3339', () => {
  assert.deepEqual(
    defaultPrinter.columns.map((c) => [c.name, c.type, c.format]),
    [
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ],
  );
  assert.deepEqual(defaultPrinter.row({ metadata: { name: 'admin', creationTimestamp: '2024-05-01T11:00:00Z' } }, now), ['admin', '2024-05-01T11:00:00Z']);
  assert.deepEqual(defaultPrinter.row({ metadata: { name: 'x' } }, now), ['x', '0001-01-01T00:00:00Z']);
});
