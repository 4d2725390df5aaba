// Type-aware lint for the whole workspace. The domain package must stay pure:
// no Node built-ins, no drivers, nothing of ours.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/.tsbuild/**', 'data/**', '.tap/**', 'docs/**', 'infra/**'],
  },
  // The console's bundle (built by services/console on install) is generated code.
  { ignores: ['services/console/dist*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      // STYLE.md: functions under ~70 lines. Counted without blank lines and comments, so that
      // explaining why never pushes a function over; a longer one is split along its seams, and
      // the rare exception is an inline eslint-disable that says why.
      'max-lines-per-function': ['error', { max: 70, skipBlankLines: true, skipComments: true, IIFEs: true }],
      // Four positional parameters at most: past that a call site cannot be read without the
      // signature beside it (and trailing nulls creep in); pass one options object instead.
      'max-params': ['error', { max: 4 }],
    },
  },
  {
    files: ['packages/domain/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', '@timebank/*', 'better-sqlite3', 'pg', 'kafkajs', 'fastify'],
              message: 'packages/domain is pure: no I/O, no node:*, nothing of ours.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'The clock comes in through the context.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Ids come in through the context.' },
      ],
    },
  },
  {
    // tap's t.test() returns a promise that tap itself tracks; top-level calls need no await.
    // A test file or contract suite is a list of t.test callbacks inside one outer function, so
    // its length is the number of cases, not the complexity of any one: the length limit would
    // only push cases into helpers a reader has to chase. Each case stays short by review.
    files: ['**/test/**/*.ts', 'packages/event-store/src/contract/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off', 'max-lines-per-function': 'off' },
  },
  {
    // Fixture builders take an event's fields in the event's own order, so a test reads as one
    // row of the values that matter; objects there would only rename every argument at hundreds
    // of call sites.
    files: ['**/test/**/*.ts', 'packages/projections/src/testing/**/*.ts'],
    rules: { 'max-params': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
