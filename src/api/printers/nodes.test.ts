import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { nodePrinter } from './nodes.js';

const now = Date.parse('2024-05-03T12:00:00Z');

function node(extra: { labels?: Record<string, string>; spec?: Record<string, unknown>; conditions?: unknown[] } = {}): KObject {
  return {
    metadata: { name: 'n1', creationTimestamp: '2024-05-01T09:00:00Z', labels: extra.labels ?? {} },
    spec: extra.spec ?? {},
    status: {
      conditions: extra.conditions ?? [{ type: 'Ready', status: 'True' }],
      addresses: [
        { type: 'InternalIP', address: '192.168.1.10' },
        { type: 'Hostname', address: 'n1' },
      ],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Ubuntu 24.04 LTS', kernelVersion: '6.8.0', containerRuntimeVersion: 'containerd://1.7.0' },
    },
  };
}

test('columns and a ready control-plane node', () => {
  assert.deepEqual(
    nodePrinter.columns.map((c) => `${c.name}:${c.priority}`),
    ['Name:0', 'Status:0', 'Roles:0', 'Age:0', 'Version:0', 'Internal-IP:1', 'External-IP:1', 'OS-Image:1', 'Kernel-Version:1', 'Container-Runtime:1'],
  );
  const row = nodePrinter.row(node({ labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '' } }), now);
  assert.deepEqual(row, ['n1', 'Ready', 'control-plane,master', '2d3h', 'v1.32.0', '192.168.1.10', '<none>', 'Ubuntu 24.04 LTS', '6.8.0', 'containerd://1.7.0']);
});

test('status: NotReady, Unknown, SchedulingDisabled', () => {
  assert.equal(nodePrinter.row(node({ conditions: [{ type: 'Ready', status: 'False' }] }), now)[1], 'NotReady');
  assert.equal(nodePrinter.row(node({ conditions: [{ type: 'Ready', status: 'Unknown' }] }), now)[1], 'NotReady');
  assert.equal(nodePrinter.row(node({ conditions: [] }), now)[1], 'Unknown');
  assert.equal(nodePrinter.row(node({ spec: { unschedulable: true } }), now)[1], 'Ready,SchedulingDisabled');
});

test('roles: none, legacy kubernetes.io/role label, empty role suffix ignored', () => {
  assert.equal(nodePrinter.row(node(), now)[2], '<none>');
  assert.equal(nodePrinter.row(node({ labels: { 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/': '' } }), now)[2], 'worker');
});

test('missing node info prints <unknown>', () => {
  const n = node();
  (n.status as { nodeInfo: unknown }).nodeInfo = {};
  assert.deepEqual(nodePrinter.row(n, now).slice(7), ['<unknown>', '<unknown>', '<unknown>']);
});
