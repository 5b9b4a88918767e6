import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * graphql-codegen's client preset for the web app: types every `graphql(...)` document under src/ from
 * the gateway's schema, embeds each document's hash in it, and writes the trusted-documents manifest
 * gql/persisted-documents.json that the gateway loads with PERSISTED_DOCUMENTS. Run from the repository
 * root: `npm run codegen:example` (gql/ is committed; a test fails when it is stale).
 */
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  documents: ['examples/web-app/src/**/*.ts'],
  generates: {
    'examples/web-app/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      config: {
        importExtension: '.js',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSONObject: 'Record<string, unknown>' },
      },
    },
  },
};

export default config;
