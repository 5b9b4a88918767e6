/**
 * The layers of README.md's code map, top to bottom; each may import only the layers below it.
 * `npm test` runs this (npm run deps), so an upward import fails the suite.
 *
 *   top      src/*.ts (main, gateway, server, context, config, schema, ...), src/tools/
 *   http     src/http/         the HTTP edge
 *   plugins  src/plugins/      Apollo plugins and validation rules
 *   resolvers src/resolvers/, src/generated/
 *   loaders  src/loaders/      DataLoader per operation
 *   errors   src/errors/       GraphQL errors and formatError
 *   cache    src/cache/        tiers and the bucket store
 *   upstream src/upstream/, src/recording/   HTTP to LiveDeflect (and recording its answers)
 *   decode   src/decode/       the streaming reader, on decode threads
 *   pack     src/pack/         the binary call pack
 *   model    src/model/        vocabulary
 *   wire     src/wire/         what the gateway and the simulator share
 * src/simulator/ stands apart: it imports only wire/. logger.ts, duration.ts, projectRoot.ts and
 * gatewayMetrics.ts are leaves any layer may use.
 */
const LEAVES = '^src/(logger|duration|projectRoot|gatewayMetrics)\\.ts$';
const LAYERS = [
  ['top', '^src/([^/]+\\.ts|tools/)'],
  ['http', '^src/http/'],
  ['plugins', '^src/plugins/'],
  ['resolvers', '^src/(resolvers|generated)/'],
  ['loaders', '^src/loaders/'],
  ['errors', '^src/errors/'],
  ['cache', '^src/cache/'],
  ['upstream', '^src/(upstream|recording)/'],
  ['decode', '^src/decode/'],
  ['pack', '^src/pack/'],
  ['model', '^src/model/'],
  ['wire', '^src/wire/'],
];

const upward = LAYERS.slice(1).map(([name, path], index) => ({
  name: `${name}-imports-only-below`,
  comment: `${name} may import only the layers below it (see the code map in README.md)`,
  severity: 'error',
  from: { path },
  to: {
    path: LAYERS.slice(0, index + 1).map(([, above]) => above),
    pathNot: [path, LEAVES],
    // The GraphQL context's type is declared at the top beside its factory; knowing its shape is not depending on it.
    dependencyTypesNot: ['type-only'],
  },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle means two modules are one: merge them or cut the cycle at the vocabulary.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...upward,
    {
      name: 'model-imports-nothing-of-ours',
      comment: 'model/ is pure vocabulary: only wire/ definitions below it',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: ['^src/(model|wire)/'] },
    },
    {
      name: 'data-path-knows-no-graphql',
      comment: 'upstream/, decode/, pack/, cache/, model/ and wire/ never import GraphQL or Apollo',
      severity: 'error',
      from: { path: '^src/(upstream|decode|pack|cache|model|wire)/' },
      to: { path: 'node_modules/(@apollo|graphql|@graphql-tools|dataloader)/' },
    },
    {
      name: 'simulator-stands-apart',
      comment: 'the simulator imports nothing of the gateway but the shared wire definitions',
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: '^src/', pathNot: ['^src/(simulator|wire)/'] },
    },
    {
      name: 'gateway-never-imports-the-simulator',
      comment: 'only the embedded default upstream may start one',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(simulator/|embeddedUpstream\\.ts$)'] },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'src-never-imports-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/http/graphiql/client/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
