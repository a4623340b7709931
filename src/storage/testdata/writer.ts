// Child process for the kill -9 durability test (sqlite.test.ts): creates keys in <dir> as fast as
// it can, several in flight at once so they group-commit, and prints each key to stdout only after
// its create was acknowledged. The parent kills it with SIGKILL mid-stream.
import { openSqliteBackend } from '../sqlite.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: writer.ts <dir>');
const backend = await openSqliteBackend(dir, { compactIntervalMs: 0 });
let next = 0;

async function writeForever(): Promise<never> {
  for (;;) {
    const key = `/durability/${String(next++).padStart(8, '0')}`;
    await backend.create(key, `value of ${key}`);
    process.stdout.write(`${key}\n`);
  }
}

await Promise.all(Array.from({ length: 8 }, writeForever));
