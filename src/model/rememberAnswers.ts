/**
 * A pure function of a string or number with its answers remembered: a polled dashboard sends the same
 * ids and times on every request, and parsing or formatting them again costs more than a lookup.
 * Bounded: emptied when full, so a client sending ever new values cannot grow it. A throw is not
 * remembered (the next call throws again), so only answers are shared: they must not be mutated.
 */
export function rememberAnswers<K extends string | number, V extends NonNullable<unknown>>(fn: (key: K) => V, max: number): (key: K) => V {
  const answers = new Map<K, V>();
  return (key) => {
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = fn(key);
      if (answers.size >= max) answers.clear();
      answers.set(key, answer);
    }
    return answer;
  };
}
