// The "floor" for the create benchmark: a bare Node HTTPS server that only parses the JSON body and
// inserts it into SQLite (WAL, synchronous=FULL, one transaction per request, as durable as kts).
import { createServer } from 'node:https';
import Database from 'better-sqlite3';
import { join } from 'node:path';

const [dir, certPem, keyPem] = [process.argv[2]!, Buffer.from(process.argv[3]!, 'base64').toString(), Buffer.from(process.argv[4]!, 'base64').toString()];
const db = new Database(join(dir, 'floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS kv (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, value TEXT)');
const insert = db.prepare('INSERT INTO kv (name, value) VALUES (?, ?)');
const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      const obj = JSON.parse(Buffer.concat(chunks).toString()) as { metadata: { name: string } };
      const r = insert.run(obj.metadata.name, JSON.stringify(obj));
      const body = JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(r.lastInsertRowid) } });
      res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    } catch (e) {
      res.writeHead(400);
      res.end(String(e));
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`port ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
