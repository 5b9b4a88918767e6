/** A JSON object (dictionary), as opposed to null, an array or a primitive: JSON.parse gives no such type. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
