// etcd endpoint URLs as k3s's --datastore-endpoint takes them (http:// or https://, port 2379 by
// default). Kept apart from the gRPC client so that validating flags does not load gRPC.
import { StorageError } from './backend.js';

/** Parses `--datastore-endpoint`-style URLs; throws with the offending value. */
export function parseEtcdEndpoint(url: string): { url: string; secure: boolean; target: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StorageError(`invalid etcd endpoint "${url}" (want http://host:port or https://host:port)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new StorageError(`invalid etcd endpoint "${url}" (want http:// or https://)`);
  if (!u.hostname || (u.pathname !== '' && u.pathname !== '/') || u.search) throw new StorageError(`invalid etcd endpoint "${url}" (want scheme://host:port, nothing more)`);
  return { url: `${u.protocol}//${u.host}`, secure: u.protocol === 'https:', target: `${u.hostname}:${u.port || '2379'}` };
}
