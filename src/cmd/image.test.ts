import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, humanSize, imageRows } from './image.js';

test('sizes as crictl prints them', () => {
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1_049_000), '1.05MB');
  assert.equal(humanSize(744_000), '744kB');
  assert.equal(humanSize(2_200_000_000), '2.2GB');
});

test('one row per tag, <none> for untagged images, crictl column layout', () => {
  const img = (id: string, repoTags: string[], repoDigests: string[] = []) => ({ id, repoTags, repoDigests, size: '1049000', uid: null, username: '', pinned: false });
  const rows = imageRows([
    img('sha256:04b6a905e947843c9d55', ['registry.k8s.io/pause:3.10']),
    img('sha256:aaaaaaaaaaaaaaaaaaaa', ['localhost:5000/x:1', 'localhost:5000/x:2']),
    img('sha256:bbbbbbbbbbbbbbbbbbbb', [], ['example.test/y@sha256:cc']),
  ]);
  assert.deepEqual(rows, [
    ['example.test/y', '<none>', 'bbbbbbbbbbbbb', '1.05MB'],
    ['localhost:5000/x', '1', 'aaaaaaaaaaaaa', '1.05MB'],
    ['localhost:5000/x', '2', 'aaaaaaaaaaaaa', '1.05MB'],
    ['registry.k8s.io/pause', '3.10', '04b6a905e9478', '1.05MB'],
  ]);
  assert.equal(
    formatTable(['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], rows.slice(3)),
    'IMAGE                   TAG                 IMAGE ID            SIZE\nregistry.k8s.io/pause   3.10                04b6a905e9478       1.05MB\n',
  );
});
