import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * graphql-codegen's client preset: reads the gateway's schema and every `graphql(...)` document under
 * src/, and writes gql/ (committed), which types each document's result and variables. Run from the
 * repository root: `npx graphql-codegen --config examples/typed-client/codegen.ts`.
 */
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  documents: ['examples/typed-client/src/**/*.ts'],
  generates: {
    'examples/typed-client/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // Documents as typed strings: plain fetch sends them as they are, with no GraphQL client library.
        documentMode: 'string',
        // This example is ESM with NodeNext resolution, which wants the .js suffix on relative imports.
        importExtension: '.js',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSONObject: 'Record<string, unknown>' },
      },
    },
  },
};

export default config;
