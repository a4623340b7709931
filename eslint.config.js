// Lint: typescript-eslint's recommended rules, plus the layering rule from docs/architecture.md:
// layers import downward only (util → api → storage → client → components → server|agent → cmd).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = ['util', 'api', 'storage', 'client', 'apiserver', 'server', 'cmd'];
// Each layer may import only itself and the layers before it.
const layerRules = layers.map((layer, i) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: layers.slice(i + 1).map((above) => ({
          group: [`**/${above}/*`, `../${above}`, `../../${above}`],
          message: `layer "${layer}" must not import from the higher layer "${above}"`,
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
  { files: ['**/*.mjs', 'bin/*'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  ...layerRules,
);
