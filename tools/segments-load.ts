/**
 * `node dist/tools/segments-load.js` (or `npm run tools:segments-load --`) `<file.jsonl|file.csv> [--redis URL] [--cluster host:port,…] [--prefix pg:]
 *   [--batch 1000] [--ttl seconds] [--every 100000]`
 *
 * Streams user records (formats in segments/load-records.ts) into the Redis store: each batch of
 * records (identity links + segments) is written as one pipeline, with a few batches in flight so parsing
 * and Redis overlap. Bad lines are reported by line number and skipped; the load never aborts for them.
 * Progress goes to stderr (a bar on a TTY, a line every `--every` records otherwise); the summary to stdout.
 * Exit code: 0 all loaded, 2 some lines bad or records failed, 1 could not run.
 */
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CsvRecordParser,
  kDefaultTtlSeconds,
  parseJsonRecord,
  type LoadRecord,
  type ParseResult,
} from './segments/load-records.js';
import { createRedisStore } from '../src/store/redis/index.js';

export interface LoadOptions {
  readonly file: string;
  readonly redisUrl?: string;
  readonly cluster?: readonly string[];
  readonly prefix?: string;
  readonly batch?: number;
  readonly ttlSeconds?: number;
  /** Non-TTY progress: a line every this many records. */
  readonly every?: number;
  readonly log?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly now?: () => number;
}

export interface BadLine {
  readonly line: number;
  readonly error: string;
}

export interface LoadSummary {
  readonly records: number;
  readonly badLines: number;
  /** The first bad lines (at most 1,000), by number. */
  readonly bad: readonly BadLine[];
  /** Records Redis refused (counted, not retried). */
  readonly failed: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
}

const kMaxInflightBatches = 4;
const kBatchTimeoutMs = 60_000;
const kMaxBadKept = 1_000;
const kMaxBadPrinted = 100;

export async function loadSegments(opts: LoadOptions): Promise<LoadSummary> {
  const log = opts.log ?? process.stderr;
  const batchSize = Math.max(1, opts.batch ?? 1_000);
  const now = opts.now ?? Date.now;
  const csv = opts.file.toLowerCase().endsWith('.csv');
  const size = statSync(opts.file).size;
  const store = await createRedisStore({
    url: opts.redisUrl,
    cluster: opts.cluster === undefined ? undefined : { nodes: opts.cluster },
    keyPrefix: opts.prefix ?? 'pg:',
    instanceId: 'segments-load',
    // No per-command timer (a timer per command is a large share of the client's cost at this volume):
    // each batch has one deadline instead (kBatchTimeoutMs).
    commandTimeoutMs: 0,
    idCacheSize: 0,
  });
  const t0 = performance.now();
  const input = createReadStream(opts.file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const progress = new Progress(log, size, opts.every ?? 100_000);
  const bad: BadLine[] = [];
  let badLines = 0;
  let records = 0;
  let failed = 0;
  let lineNo = 0;
  let csvParser: CsvRecordParser | undefined;
  let batch: LoadRecord[] = [];
  const inflight = new Set<Promise<void>>();

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const b = batch;
    batch = [];
    const p = store.profiles.bulk(b, now(), kBatchTimeoutMs).then(
      (n) => void (failed += n),
      () => void (failed += b.length),
    );
    const tracked = p.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    if (inflight.size >= kMaxInflightBatches) await Promise.race(inflight);
  };

  try {
    for await (const line of readLines(input)) {
      lineNo++;
      if (csv && csvParser === undefined) {
        csvParser = new CsvRecordParser(line, opts.ttlSeconds ?? kDefaultTtlSeconds);
        continue;
      }
      if (line.trim() === '') continue;
      const r: ParseResult =
        csvParser !== undefined
          ? csvParser.parse(line)
          : parseJsonRecord(line, now(), opts.ttlSeconds ?? kDefaultTtlSeconds);
      if (!r.ok) {
        badLines++;
        if (bad.length < kMaxBadKept) bad.push({ line: lineNo, error: r.error });
        if (badLines <= kMaxBadPrinted) progress.message(`line ${lineNo}: ${r.error}`);
        continue;
      }
      batch.push(r.record);
      records++;
      if (batch.length >= batchSize) {
        await flush();
        progress.update(records, input.bytesRead);
      }
    }
    await flush();
    await Promise.all(inflight);
  } finally {
    await store.close();
  }
  progress.done(records, size);
  if (badLines > kMaxBadPrinted) log.write(`… and ${badLines - kMaxBadPrinted} more bad lines\n`);
  const seconds = (performance.now() - t0) / 1000;
  return {
    records: records - failed,
    badLines,
    bad,
    failed,
    seconds,
    recordsPerSecond: seconds === 0 ? 0 : (records - failed) / seconds,
  };
}

/**
 * Lines of a text stream, pulled chunk by chunk: the loop awaits Redis before pulling more, so memory stays
 * bounded by the batches in flight (readline's iterator keeps reading ahead into an unbounded queue).
 */
async function* readLines(input: Readable): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      yield text.charCodeAt(nl - 1) === 13 && nl > start ? text.slice(start, nl - 1) : text.slice(start, nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') yield rest;
}

/** A bar redrawn in place on a TTY (at most every 100 ms); a plain line every N records otherwise. */
class Progress {
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #total: number;
  readonly #every: number;
  readonly #t0 = performance.now();
  #lastDraw = 0;
  #nextLine: number;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }, totalBytes: number, every: number) {
    this.#out = out;
    this.#total = Math.max(1, totalBytes);
    this.#every = every;
    this.#nextLine = every;
  }

  update(records: number, bytes: number): void {
    if (this.#out.isTTY === true) {
      const t = performance.now();
      if (t - this.#lastDraw < 100) return;
      this.#lastDraw = t;
      const f = Math.min(1, bytes / this.#total);
      const bar = '#'.repeat(Math.round(f * 30)).padEnd(30, '.');
      this.#out.write(
        `\r[${bar}] ${(f * 100).toFixed(0).padStart(3)}% ${records.toLocaleString('en-US')} records ${this.#rate(records)}/s`,
      );
    } else if (records >= this.#nextLine) {
      this.#nextLine = (Math.floor(records / this.#every) + 1) * this.#every;
      this.#out.write(
        `${records.toLocaleString('en-US')} records (${((bytes / this.#total) * 100).toFixed(0)}%), ${this.#rate(records)}/s\n`,
      );
    }
  }

  message(text: string): void {
    this.#out.write(this.#out.isTTY === true ? `\r\x1b[K${text}\n` : `${text}\n`);
  }

  done(records: number, bytes: number): void {
    this.#lastDraw = 0;
    this.update(records, bytes);
    if (this.#out.isTTY === true) this.#out.write('\n');
  }

  #rate(records: number): string {
    const s = (performance.now() - this.#t0) / 1000;
    return s === 0 ? '0' : Math.round(records / s).toLocaleString('en-US');
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      redis: { type: 'string' },
      cluster: { type: 'string' },
      prefix: { type: 'string', default: 'pg:' },
      batch: { type: 'string', default: '1000' },
      ttl: { type: 'string' },
      every: { type: 'string', default: '100000' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const usage =
    'usage: segments-load <file.jsonl|file.csv> [--redis URL] [--cluster h:p,…] [--prefix pg:] [--batch 1000]\n' +
    '         [--ttl seconds] [--every 100000]\n' +
    'Streams user records (identity links and segments) into the Redis store; REDIS_URL is the default --redis.\n';
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) {
    process.stderr.write(usage);
    return 1;
  }
  const summary = await loadSegments({
    file,
    redisUrl: values.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    cluster: values.cluster?.split(','),
    prefix: values.prefix,
    batch: Number(values.batch),
    ttlSeconds: values.ttl === undefined ? undefined : Number(values.ttl),
    every: Number(values.every),
  });
  process.stdout.write(
    `records: ${summary.records}\nbad lines: ${summary.badLines}${
      summary.bad.length > 0
        ? ` (lines ${summary.bad
            .slice(0, 20)
            .map((b) => b.line)
            .join(', ')}${summary.badLines > 20 ? ', …' : ''})`
        : ''
    }\n` +
      `failed: ${summary.failed}\nseconds: ${summary.seconds.toFixed(2)}\nrecords/s: ${Math.round(summary.recordsPerSecond)}\n`,
  );
  return summary.badLines > 0 || summary.failed > 0 ? 2 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`segments:load: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
