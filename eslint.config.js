// @ts-check
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

/** The rooms of ../shared/DESIGN.md, enforced: who may import whom. */
const noElectron = { group: ['electron', 'electron/*'], message: 'The engine runs in plain Node: never import electron here.' };
const noApp = { group: ['**/app/**', '**/preload/**'], message: 'Only the Electron shell may import app/ or preload/.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'bench/results/**', 'docs/**', 'src-renderer/dist/**', '**/.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    // The views are TypeScript inside .svelte: the same parser and the same room rules as the renderer's .ts.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-undef': 'off',
    },
  },
  {
    files: ['src-main/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron,
            noApp,
            { group: ['@tensorflow/*'], message: 'contract/ is pure: zod and types only.' },
            { group: ['**/engine/**', '**/engine-host/**', '**/cli/**', '**/serve/**'], message: 'contract/ owns the types it publishes: it imports nothing of ours (the engine imports from it).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/engine/**/*.ts', 'src-main/engine-host/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron, noApp] }] },
  },
  {
    // The two hosts share what both serve (web/), never each other, and the server never reaches up into the CLI.
    files: ['src-main/serve/**/*.ts', 'src-main/web/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron, noApp, { group: ['**/cli/**'], message: 'serve/ and web/ are used by the CLI, not the other way round.' }] }] },
  },
  {
    files: ['src-main/app/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/serve/**', '**/cli/**'], message: 'The Electron app shares web/ with the serve mode; it does not import serve/ or cli/.' }] }] },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron,
            { group: ['**/src-main/engine/**', '**/src-main/app/**', '**/src-main/serve/**', '@tensorflow/*', 'node:*'], message: 'The renderer talks to the engine only through the contract client.' },
          ],
        },
      ],
    },
  },
);
