/** A list read by position (an array is one), at positions 0..length-1. */
export interface PositionalList<T> {
  readonly length: number;
  at(index: number): T | undefined;
}
