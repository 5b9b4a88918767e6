import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * `Query._service { sdl }` prints the whole subgraph schema, descriptions included. In production it is
 * refused like introspection (GRAPHQL_VALIDATION_FAILED) unless EXPOSE_SUBGRAPH_SDL=true: a router
 * composes from the published SDL, and only tools such as `rover subgraph introspect` ask a running server.
 */
export const subgraphSdlRule: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value !== '_service' || context.getParentType() !== context.getSchema().getQueryType()) return;
    context.reportError(
      new GraphQLError(
        'The subgraph schema (_service) is not exposed by this gateway: read schema/published/livedeflect.graphql, or set EXPOSE_SUBGRAPH_SDL=true on the gateway for rover subgraph introspect',
        { nodes: node },
      ),
    );
  },
});
