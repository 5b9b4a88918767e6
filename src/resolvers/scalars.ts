import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

function parseDateTime(value: unknown): number {
  const time = typeof value === 'string' && ISO_DATE_TIME.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new GraphQLError(
      `DateTime must be an ISO-8601 date-time with a time zone, like "2024-05-01T00:00:00Z" (or a date, "2024-05-01", meaning UTC midnight); got ${JSON.stringify(value)?.slice(0, 60)}`,
    );
  }
  return time;
}

/** Epoch milliseconds inside; ISO-8601 UTC with milliseconds on the wire. */
export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  serialize(value) {
    if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
    if (value instanceof Date) return value.toISOString();
    throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string like "2024-05-01T00:00:00Z"', { nodes: ast });
    return parseDateTime(ast.value);
  },
});

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const JSONObjectScalar = new GraphQLScalarType<Record<string, unknown>, Readonly<Record<string, unknown>>>({
  name: 'JSONObject',
  serialize(value) {
    if (!isJsonObject(value)) throw new GraphQLError('JSONObject cannot represent a non-object value');
    return value;
  },
  parseValue(value) {
    if (!isJsonObject(value)) throw new GraphQLError('JSONObject must be a JSON object');
    return value;
  },
  parseLiteral(ast: ValueNode, variables) {
    if (ast.kind !== Kind.OBJECT) throw new GraphQLError('JSONObject must be an object literal', { nodes: ast });
    return valueFromASTUntyped(ast, variables) as Record<string, unknown>;
  },
});
