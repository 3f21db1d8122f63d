/**
 * An `EventSink` writing JSON lines to size-rotated files (`<prefix>-<UTC time>-<seq>.jsonl`). `append` only
 * pushes onto an array; serialisation and the write happen in a batch on a timer (or once `batchSize`
 * events wait), one write in flight at a time, so the request path pays one array push per event. When
 * more than `maxPending` events wait (disk slower than traffic), new events are dropped and counted rather
 * than growing memory without bound.
 */
import { type FileHandle, open, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import type { EventSink, ScoringEvent, SinkStats } from '../store/ports.js';

export interface JsonlSinkOptions {
  readonly dir: string;
  readonly prefix?: string;
  /** Rotate before a file would exceed this size. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Keep at most this many files (oldest deleted). Default: keep all. */
  readonly maxFiles?: number;
  readonly maxPending?: number;
  readonly batchSize?: number;
  readonly flushIntervalMs?: number;
  readonly clock?: Clock;
  readonly onError?: (e: Error) => void;
}

export class RotatingJsonlSink implements EventSink {
  readonly stats: SinkStats = { written: 0, dropped: 0, errors: 0 };
  readonly #o: Required<Omit<JsonlSinkOptions, 'onError' | 'maxFiles'>> &
    Pick<JsonlSinkOptions, 'onError' | 'maxFiles'>;
  #pending: ScoringEvent[] = [];
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #fh: FileHandle | undefined;
  #size = 0;
  #seq = 0;
  #closed = false;
  readonly #files: string[] = [];

  constructor(opts: JsonlSinkOptions) {
    this.#o = {
      prefix: 'events',
      maxBytes: 64 * 1024 * 1024,
      maxPending: 100_000,
      batchSize: 1000,
      flushIntervalMs: 500,
      clock: systemClock,
      ...opts,
    };
  }

  append(e: ScoringEvent): void {
    if (this.#closed || this.#pending.length >= this.#o.maxPending) {
      this.stats.dropped++;
      return;
    }
    this.#pending.push(e);
    if (this.#pending.length >= this.#o.batchSize) this.#kick(0);
    else if (this.#timer === undefined) this.#kick(this.#o.flushIntervalMs);
  }

  flush(): Promise<void> {
    this.#drain();
    return this.#chain;
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#chain;
    await this.#fh?.close();
    this.#fh = undefined;
  }

  /** Files written so far, oldest first. */
  get files(): readonly string[] {
    return this.#files;
  }

  #kick(ms: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, ms);
    this.#timer.unref();
  }

  #drain(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#chain = this.#chain.then(() => this.#write(batch));
  }

  async #write(batch: ScoringEvent[]): Promise<void> {
    let chunk = '';
    let chunkBytes = 0;
    let lines = 0;
    let done = 0;
    try {
      for (const e of batch) {
        const line = `${JSON.stringify(e)}\n`;
        const bytes = Buffer.byteLength(line);
        // Rotate between lines, so no file grows past maxBytes (unless one line alone is bigger).
        if (
          this.#fh === undefined ||
          (this.#size + chunkBytes > 0 && this.#size + chunkBytes + bytes > this.#o.maxBytes)
        ) {
          if (lines > 0) {
            await this.#fh!.write(chunk);
            done += lines;
          }
          chunk = '';
          chunkBytes = 0;
          lines = 0;
          await this.#rotate();
        }
        chunk += line;
        chunkBytes += bytes;
        lines++;
      }
      if (lines > 0) {
        await this.#fh!.write(chunk);
        this.#size += chunkBytes;
        done += lines;
      }
    } catch (e) {
      this.stats.errors++;
      this.stats.dropped += batch.length - done;
      this.#o.onError?.(e as Error);
    } finally {
      this.stats.written += done;
    }
  }

  async #rotate(): Promise<void> {
    await this.#fh?.close();
    this.#fh = undefined;
    const stamp = new Date(this.#o.clock.now())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const file = join(this.#o.dir, `${this.#o.prefix}-${stamp}-${String(++this.#seq).padStart(4, '0')}.jsonl`);
    this.#fh = await open(file, 'a');
    this.#size = 0;
    this.#files.push(file);
    const max = this.#o.maxFiles;
    if (max !== undefined) {
      const mine = (await readdir(this.#o.dir))
        .filter((f) => f.startsWith(`${this.#o.prefix}-`) && f.endsWith('.jsonl'))
        .sort();
      for (const old of mine.slice(0, Math.max(0, mine.length - max)))
        await unlink(join(this.#o.dir, old)).catch(() => {});
    }
  }
}
