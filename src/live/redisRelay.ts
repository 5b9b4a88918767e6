import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { CallPack, PackFormatError } from '../pack/callPack.js';
import { CallPackWriter } from '../pack/callPackWriter.js';
import type { Logger } from '../logger.js';
import { UPSTREAM_ERROR_CODES, UpstreamError } from '../upstream/errors.js';
import type { FeedMessage, FeedRelay } from './sitePoller.js';

export interface RedisRelayOptions {
  /** REDIS_URL */
  readonly url: string;
  /** Part of every lease and channel name: the same site on two upstreams is two feeds, as in the cache. */
  readonly upstreamUrl: string;
  /** REDIS_TIMEOUT */
  readonly commandTimeoutMs: number;
  /** How long a lease outlives its last renewal; the poller renews it every LIVE_POLL_INTERVAL. */
  readonly leaseTtlMs: number;
  readonly logger: Logger;
}

const PREFIX = 'livedeflect:v1:live:';
const WARN_EVERY_MS = 10_000;
const READY_WAIT_MS = 2_000;
const TOKEN_BYTES = 12;
const CHANGES = 1;
const ERROR = 2;

// KEYS: lease; ARGV: token, ms. Takes a free lease or renews our own, atomically: two replicas can't both hold it.
const CLAIM_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

// KEYS: lease; ARGV: token. Only our own: a lease that lapsed may be another replica's now.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Live feeds shared by replicas through Redis: a lease per feed (`live:lease:<feed>`) says which replica
 * polls it, and a channel per feed (`live:feed:<feed>`) carries what that replica read to the others. A
 * message is binary: its kind, the sender's token (a replica ignores its own), then for changes the time
 * and a call pack of the changed calls (the cache's own format), for errors the code and message as JSON.
 *
 * Redis down is degraded, never silent: claim() answers "poll it yourself", so every replica polls its
 * own feeds (and warns, at most every 10 s) until Redis is back and one of them wins the lease again.
 * The subscriber connection is separate from the command one, as Redis requires.
 */
export class RedisFeedRelay implements FeedRelay {
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly token = randomBytes(TOKEN_BYTES);
  private readonly tokenText = this.token.toString('base64url');
  private readonly handlers = new Map<string, (message: Buffer) => void>();
  private lastWarning = 0;
  private closed = false;
  private connecting: Promise<void> | null = null;

  constructor(private readonly options: RedisRelayOptions) {
    const connection = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(options.commandTimeoutMs, 1_000),
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 2_000),
    };
    this.commands = new Redis(options.url, connection);
    // A subscriber connection has no command timeout: it waits for messages indefinitely.
    this.subscriber = new Redis(options.url, { ...connection, commandTimeout: undefined, enableOfflineQueue: true });
    for (const client of [this.commands, this.subscriber]) client.on('error', (error: Error) => this.warn(error, 'connection'));
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.handlers.get(channel.toString())?.(message));
  }

  /**
   * Connects on first use, waiting a little for Redis: a replica that never has a subscriber opens no
   * connection for live feeds (and has nothing to say in the log when Redis goes away).
   */
  private connected(): Promise<void> {
    this.connecting ??= (() => {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, READY_WAIT_MS).unref());
      const connect = (client: Redis) => client.connect().catch((error: unknown) => this.warn(error, 'connect'));
      return Promise.race([Promise.all([connect(this.commands), connect(this.subscriber)]).then(() => undefined), timeout]);
    })();
    return this.connecting;
  }

  async claim(feed: string): Promise<boolean> {
    await this.connected();
    if (this.commands.status !== 'ready') {
      this.warn(new Error(`connection is ${this.commands.status}`), 'claim');
      return true;
    }
    try {
      return (await this.commands.eval(CLAIM_SCRIPT, 1, this.leaseKey(feed), this.tokenText, this.options.leaseTtlMs)) === 1;
    } catch (error) {
      this.warn(error, 'claim');
      return true;
    }
  }

  async release(feed: string): Promise<void> {
    if (this.commands.status !== 'ready') return;
    try {
      await this.commands.eval(RELEASE_SCRIPT, 1, this.leaseKey(feed), this.tokenText);
    } catch (error) {
      this.warn(error, 'release');
    }
  }

  async publish(feed: string, siteId: string, message: FeedMessage): Promise<void> {
    if (this.commands.status !== 'ready') return;
    try {
      await this.commands.publish(this.channel(feed), this.encode(siteId, message));
    } catch (error) {
      this.warn(error, 'publish');
    }
  }

  listen(feed: string, siteId: string, onMessage: (message: FeedMessage) => void): () => void {
    const channel = this.channel(feed);
    this.handlers.set(channel, (raw) => {
      const message = this.decode(siteId, raw);
      if (message) onMessage(message);
    });
    this.connected()
      // Not when the feed stopped meanwhile: its unsubscribe has already been sent.
      .then(() => (this.handlers.has(channel) ? this.subscriber.subscribe(channel) : undefined))
      .catch((error: unknown) => this.warn(error, 'subscribe'));
    return () => {
      this.handlers.delete(channel);
      if (!this.closed) this.subscriber.unsubscribe(channel).catch((error: unknown) => this.warn(error, 'unsubscribe'));
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (!this.connecting) return;
    const quit = (client: Redis) =>
      Promise.race([client.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, this.options.commandTimeoutMs))]).then(() =>
        client.disconnect(),
      );
    await Promise.all([quit(this.commands), quit(this.subscriber)]);
  }

  private encode(siteId: string, message: FeedMessage): Buffer {
    if (message.kind === 'changes') {
      const at = Buffer.alloc(8);
      at.writeDoubleLE(message.at);
      // The changed calls of a poll span buckets: the pack carries them, and names the poll's time as its bucket.
      const pack = new CallPackWriter(siteId, message.at);
      for (const call of message.calls) pack.addModel(call);
      return Buffer.concat([Buffer.of(CHANGES), this.token, at, pack.finish()]);
    }
    const { code, message: text, statusCode } = message.error;
    return Buffer.concat([Buffer.of(ERROR), this.token, Buffer.from(JSON.stringify({ code, message: text, statusCode, final: message.final }))]);
  }

  /** Another replica's message, checked as any input from outside: null for our own, and for anything malformed. */
  private decode(siteId: string, raw: Buffer): FeedMessage | null {
    if (raw.length < 1 + TOKEN_BYTES || raw.subarray(1, 1 + TOKEN_BYTES).equals(this.token)) return null;
    const body = raw.subarray(1 + TOKEN_BYTES);
    try {
      if (raw[0] === CHANGES && body.length > 8) {
        const pack = CallPack.verified(body.subarray(8));
        if (pack.siteId !== siteId) return null;
        return { kind: 'changes', at: body.readDoubleLE(0), calls: [...pack.calls()] };
      }
      if (raw[0] === ERROR) {
        const parsed = JSON.parse(body.toString('utf8')) as { code?: unknown; message?: unknown; statusCode?: unknown; final?: unknown };
        const code = UPSTREAM_ERROR_CODES.find((known) => known === parsed.code);
        if (!code || typeof parsed.message !== 'string') return null;
        const statusCode = typeof parsed.statusCode === 'number' ? parsed.statusCode : undefined;
        return { kind: 'error', error: new UpstreamError(code, parsed.message, { statusCode }), final: parsed.final === true };
      }
    } catch (error) {
      if (!(error instanceof PackFormatError) && !(error instanceof SyntaxError)) throw error;
    }
    this.options.logger.warn({ bytes: raw.length }, 'live feed message this gateway cannot read: ignored');
    return null;
  }

  private leaseKey(feed: string): string {
    return `${PREFIX}lease:${this.options.upstreamUrl}|${feed}`;
  }

  private channel(feed: string): string {
    return `${PREFIX}feed:${this.options.upstreamUrl}|${feed}`;
  }

  private warn(error: unknown, during: string): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.options.logger.warn(
      { during, reason: (error as Error)?.message ?? String(error) },
      'Redis unavailable for live feeds: every replica polls its own (degraded) until it is back',
    );
  }
}
