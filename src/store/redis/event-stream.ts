/**
 * The learning loop's event log on Redis: bids (sampled), wins, losses, clicks and conversions appended to
 * one Redis Stream capped by length (`XADD key MAXLEN ~ n`), so training jobs read it with XRANGE/XREAD.
 * Never blocks the bid path: `append` only queues; a timer flushes in pipelined batches, and when Redis is
 * slow or down the queue is bounded and the overflow is dropped and counted.
 */
import type { EventSink, ScoringEvent, SinkStats } from '../ports.js';
import type { RedisClient } from './scripts.js';

export interface StreamSinkOptions {
  readonly key: string;
  /** Approximate cap on the stream's length. */
  readonly maxLen?: number;
  readonly maxPending?: number;
  readonly flushEveryMs?: number;
}

export class RedisStreamSink implements EventSink {
  readonly stats: SinkStats = { written: 0, dropped: 0, errors: 0 };
  readonly #client: RedisClient;
  readonly #key: string;
  readonly #maxLen: number;
  readonly #maxPending: number;
  #pending: ScoringEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(client: RedisClient, opts: StreamSinkOptions) {
    this.#client = client;
    this.#key = opts.key;
    this.#maxLen = opts.maxLen ?? 1_000_000;
    this.#maxPending = opts.maxPending ?? 20_000;
    this.#timer = setInterval(() => void this.flush(), opts.flushEveryMs ?? 100);
    this.#timer.unref();
  }

  append(e: ScoringEvent): void {
    if (this.#pending.length >= this.#maxPending) {
      this.stats.dropped++;
      return;
    }
    this.#pending.push(e);
  }

  flush(): Promise<void> {
    if (this.#pending.length === 0) return this.#writing;
    const batch = this.#pending;
    this.#pending = [];
    this.#writing = this.#writing.then(async () => {
      const p = this.#client.pipeline();
      for (const e of batch) p.xadd(this.#key, 'MAXLEN', '~', this.#maxLen, '*', 'e', JSON.stringify(e));
      try {
        const results = (await p.exec()) ?? [];
        for (const [err] of results) {
          if (err) this.stats.errors++;
          else this.stats.written++;
        }
      } catch {
        this.stats.errors += batch.length;
      }
    });
    return this.#writing;
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
