// ESLint flat config: typescript-eslint's recommended rules, type-aware where it buys safety
// (promises nobody awaits), and no focused tests left behind.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'data/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The registry's grammars (RFC 2449) and its output escaping are about control characters.
      'no-control-regex': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error',
        ...['describe', 'it', 'test'].map((object) => ({ object, property: 'only', message: 'A focused test skips the rest of the suite: remove .only.' })),
      ],
    },
  },
  {
    // The house rule (README: How it is built): a longer function says why in its disable comment,
    // `// eslint-disable-next-line max-lines-per-function -- why`.
    files: ['server/**/*.ts', 'schema/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
)
