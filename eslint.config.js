// Lint that catches what the compiler does not: promises nobody awaits or handles, and promises handed
// to callers that ignore them (an event handler, a forEach). Style is prettier's job, not this file's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/generated/**', 'examples/*/gql/**', 'examples/*/dist/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe and it return promises the runner itself tracks.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // Unused names are the compiler's to refuse (noUnusedLocals, noUnusedParameters).
      '@typescript-eslint/no-unused-vars': 'off',
      // Apollo's plugin hooks and resolvers are async by contract, whether or not a body awaits.
      '@typescript-eslint/require-await': 'off',
      // The decoder compares bytes read from typed arrays with const enums of byte kinds: numbers both.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
);
