import type { ServerResponse } from 'node:http';

/**
 * The open responses of a server, so a shutdown can tell each of them to end its connection. Once
 * closing, every response not yet begun is sent with `Connection: close`: the client reads its whole
 * answer, then opens a new connection (to another replica) for its next request, instead of having a
 * keep-alive socket cut under a request it has just written.
 */
export class ResponseDrain {
  private readonly open = new Set<ServerResponse>();
  private closingNow = false;

  get closing(): boolean {
    return this.closingNow;
  }

  track(res: ServerResponse): void {
    if (this.closingNow) {
      res.setHeader('connection', 'close');
      return;
    }
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
  }

  beginClosing(): void {
    this.closingNow = true;
    // A response whose head is already written keeps its connection; the server closes it once idle.
    for (const res of this.open) if (!res.headersSent) res.setHeader('connection', 'close');
    this.open.clear();
  }
}
