import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';
import { isJsonObject } from '../wire/json.js';
import { rememberAnswers } from '../model/rememberAnswers.js';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

function parseDateTime(value: unknown): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const time = ISO_DATE_TIME.test(text) && isCalendarDate(text.slice(0, 10)) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new GraphQLError(
      `DateTime must be an ISO-8601 date-time with a time zone, like "2024-05-01T00:00:00Z" (or a date, "2024-05-01", meaning UTC midnight); got ${JSON.stringify(value)?.slice(0, 60)}`,
    );
  }
  return time;
}

/** Date.parse rolls "2026-02-30" over into March; a date a person mistyped must be refused instead. */
function isCalendarDate(ymd: string): boolean {
  const date = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === ymd;
}

// Date.prototype.toISOString costs ~400 ns, and a warm dashboard formats the same times on every request.
const isoStringOf = rememberAnswers((time: number) => new Date(time).toISOString(), 16_384);
// Literal range arguments are parsed again on every execution of a document.
const parseDateTimeText = rememberAnswers((text: string) => parseDateTime(text), 1_024);

/** Epoch milliseconds inside; ISO-8601 UTC with milliseconds on the wire. */
export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  serialize(value) {
    if (typeof value === 'number' && Number.isFinite(value)) return isoStringOf(value);
    if (value instanceof Date) return value.toISOString();
    throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
  },
  parseValue: (value) => (typeof value === 'string' ? parseDateTimeText(value) : parseDateTime(value)),
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string like "2024-05-01T00:00:00Z"', { nodes: ast });
    return parseDateTimeText(ast.value);
  },
});

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
