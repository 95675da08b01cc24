// One lint config for the monorepo. Beyond TypeScript hygiene it enforces the import directions
// of ../shared/design/ARCHITECTURE.md:
//   workflows → activity *types* only, no Node builtins, no I/O clients
//   activities/methods (models, losses, GaP, MPU …) → TF.js and its own files only
//   db → a leaf
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`]);
const ioClients = ['@temporalio/*', 'minio', 'pg', 'drizzle-orm', 'drizzle-orm/*', '@electric-sql/*', '@reprolab/db', '@reprolab/activities', '@reprolab/api', '@reprolab/infra'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.next/**', '**/next-env.d.ts', 'db/migrations/**', '.reprolab/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['workflows/src/**/*.ts'],
    ignores: ['workflows/src/**/*.test.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Forgetting to await an activity or a workflow API is a silent bug.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.filter((m) => m !== 'assert' && m !== 'node:assert').map((name) => ({ name, message: 'workflow code is deterministic: no Node builtins (use activities for I/O)' })),
            { name: '@reprolab/activities', message: 'workflows import activity *types* only (import type)', allowTypeImports: true },
          ],
          patterns: [{ group: ioClients.filter((p) => p !== '@reprolab/activities' && p !== '@temporalio/*'), message: 'workflow code does no I/O: call an activity' }],
        },
      ],
    },
  },
  {
    files: ['activities/methods/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: [...ioClients, '@reprolab/workflows', '@reprolab/recipes'], message: 'method code imports only TF.js and its own files: no Temporal, storage or database' }] },
      ],
    },
  },
  {
    files: ['db/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@reprolab/*', '@temporalio/*', 'minio', '@tensorflow/*'], message: 'db is a leaf package' }] }],
    },
  },
  {
    files: ['activities/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@reprolab/workflows', '@reprolab/workflows/*', '@reprolab/api', '@reprolab/worker', '@reprolab/cli', '@reprolab/dashboard'], message: 'activities never import workflows or apps' }] }],
    },
  },
);
