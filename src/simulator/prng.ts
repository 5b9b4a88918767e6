// Seeded randomness for the simulator. Every value the simulator invents comes from an Rng seeded by a
// hash of what identifies it (seed, site, hour, call index ...), so data is a pure function of those
// parts: no state, no storage, and any window can be regenerated identically at any time.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by relative weight; weights need not sum to 1. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** A string of n random decimal digits (leading zeros allowed). */
  digits(n: number): string;
}

/** 32-bit FNV-1a over the parts joined by NUL, then avalanched (FNV alone mixes the last characters poorly). */
function hashParts(...parts: readonly (string | number)[]): number {
  const text = parts.join('\u0000');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A uniform [0, 1) value fixed by the parts: for one-off draws that need no generator. */
export function unitFromParts(...parts: readonly (string | number)[]): number {
  return hashParts(...parts) / 0x100000000;
}

// mulberry32: tiny, fast and good enough for synthetic data; not for anything security-related.
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
}

export function createRng(...parts: readonly (string | number)[]): Rng {
  const next = mulberry32(hashParts(...parts));
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick() needs a non-empty list');
      return item;
    },
    weighted<T>(entries: readonly (readonly [T, number])[]): T {
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let target = next() * total;
      for (const [item, weight] of entries) {
        target -= weight;
        if (target < 0) return item;
      }
      const last = entries[entries.length - 1];
      if (last === undefined) throw new RangeError('weighted() needs a non-empty list');
      return last[0];
    },
    digits(n) {
      let text = '';
      for (let i = 0; i < n; i++) text += String(int(0, 9));
      return text;
    },
  };
}
