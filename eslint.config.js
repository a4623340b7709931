// Lint: typescript-eslint's recommended rules, plus the layering rule from docs/architecture.md:
// layers import downward only; see `allowed` below.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Which layers each layer may import (besides itself). Peers (apiserver, controllers) never
// import each other: they meet only through the API.
const allowed = {
  util: [],
  api: ['util'],
  storage: ['util', 'api'],
  client: ['util', 'api'],
  apiserver: ['util', 'api', 'storage'],
  controllers: ['util', 'api', 'client'],
  scheduler: ['util', 'api', 'client'],
  kubelet: ['util', 'api', 'client'],
  proxy: ['util', 'api', 'client'],
  dns: ['util', 'api', 'client'],
  ingress: ['util', 'api', 'client'],
  agent: ['util', 'api', 'client', 'kubelet', 'proxy', 'dns', 'ingress'],
  server: ['util', 'api', 'storage', 'client', 'apiserver', 'controllers', 'scheduler', 'kubelet', 'proxy', 'dns', 'ingress', 'agent'],
  cmd: ['util', 'api', 'storage', 'client', 'apiserver', 'controllers', 'scheduler', 'kubelet', 'proxy', 'dns', 'ingress', 'agent', 'server'],
};
const layers = Object.keys(allowed);
const layerRules = layers.map((layer) => ({
  files: [`src/${layer}/**/*.ts`],
  // Tests may reach anything (e.g. test/support's in-process cluster).
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: layers
          .filter((other) => other !== layer && !allowed[layer].includes(other))
          .map((other) => ({
            group: [`**/${other}/*`],
            message: `layer "${layer}" may import only ${allowed[layer].join(', ') || 'nothing'}; not "${other}"`,
          })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  { files: ['**/*.mjs', 'bin/*'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
  ...layerRules,
);
