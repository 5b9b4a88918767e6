/** A value now, or a promise of it: what a read answers at once when its data is in memory, and later when not. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * `next` of the value: in the same tick for a value, once settled for a promise (whose rejection passes
 * through). A resolver that answers a value lets the executor write its subtree at once, with no promise,
 * no microtask and nothing held across ticks.
 */
export function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
