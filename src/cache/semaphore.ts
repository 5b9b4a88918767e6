/** Caps how many upstream requests run at once, across all operations: the upstream's limit is global. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /**
   * Runs the task when a slot is free. A wait ends early when `signal` aborts (the operation's deadline):
   * it rejects with `onAbort()` and gives up its place, so a queue of windows that can no longer be
   * answered in time never starts them.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal, onAbort?: () => Error): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so a newcomer can't slip in between.
    if (this.active >= this.limit) await this.wait(signal, onAbort);
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  private wait(signal: AbortSignal | undefined, onAbort: (() => Error) | undefined): Promise<void> {
    const aborted = (): Error => onAbort?.() ?? new Error('gave up waiting for an upstream slot');
    if (signal?.aborted) return Promise.reject(aborted());
    return new Promise<void>((resolve, reject) => {
      const turn = (): void => {
        signal?.removeEventListener('abort', giveUp);
        resolve();
      };
      const giveUp = (): void => {
        const index = this.waiting.indexOf(turn);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(aborted());
      };
      signal?.addEventListener('abort', giveUp, { once: true });
      this.waiting.push(turn);
    });
  }
}
