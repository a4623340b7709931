// Kubeconfig files are written and read by the client layer (agents write their own too).
export { renderKubeconfig, writeFileAtomic } from '../client/kubeconfig.js';
export type { KubeconfigOptions } from '../client/kubeconfig.js';
