// The version kts reports: the Kubernetes API level it implements, plus its own version.
import { createRequire } from 'node:module';
import type { VersionInfo } from '../apiserver/server.js';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

export const KTS_VERSION = pkg.version;
export const KUBE_VERSION = 'v1.32.4';

export function versionInfo(): VersionInfo {
  return {
    major: '1',
    minor: '32',
    gitVersion: `${KUBE_VERSION}-kts.${KTS_VERSION}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '2026-11-22T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
