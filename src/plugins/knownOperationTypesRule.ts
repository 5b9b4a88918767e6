import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * A mutation or subscription against a schema that has none. graphql-js 16 leaves this to execution,
 * where it surfaces as an error without a code (so an internal error to clients); it is the document's
 * fault, so it is refused in validation with GRAPHQL_VALIDATION_FAILED. graphql-js 17 ships the same rule.
 */
export const knownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(new GraphQLError(`This API has no ${node.operation} operations: send a query`, { nodes: node }));
  },
});
