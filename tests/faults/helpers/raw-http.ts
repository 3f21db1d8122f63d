/**
 * A strict HTTP/1.1 client over raw keep-alive sockets, for fault tests: it sends requests exactly as
 * given (no header normalisation), one at a time per connection, and checks every answer's framing — a
 * valid status line, a header block, a Content-Length (or chunked body) that matches the bytes that follow,
 * nothing extra. A request without a complete answer within `timeoutMs` is a hang. Loopback only.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  /** The server closed the connection after this answer (or asked to). */
  readonly closed: boolean;
}

export class FramingError extends Error {}

const kHeadEnd = Buffer.from('\r\n\r\n');

/** Parses one response at the start of `buf`; undefined when more bytes are needed. */
export function parseResponse(buf: Buffer, ended: boolean): { res: RawResponse; used: number } | undefined {
  const end = buf.indexOf(kHeadEnd);
  if (end < 0) {
    if (ended && buf.length === 0) throw new Error('connection closed before an answer');
    if (ended) throw new FramingError(`connection closed inside the header block (${buf.length} bytes)`);
    if (buf.length > 64 * 1024) throw new FramingError('header block over 64 KiB');
    return undefined;
  }
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.1 (\d{3}) [^\r\n]*$/.exec(lines[0]!);
  if (m === null) throw new FramingError(`bad status line ${JSON.stringify(lines[0])}`);
  const status = Number(m[1]);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) throw new FramingError(`bad header line ${JSON.stringify(line)}`);
    const name = line.slice(0, i).toLowerCase();
    if (headers.has(name) && name === 'content-length') throw new FramingError('two Content-Length headers');
    headers.set(name, line.slice(i + 1).trim());
  }
  const start = end + 4;
  const cl = headers.get('content-length');
  const te = headers.get('transfer-encoding');
  const closed = headers.get('connection')?.toLowerCase() === 'close';
  if (te !== undefined) {
    if (cl !== undefined) throw new FramingError('both Content-Length and Transfer-Encoding');
    if (te.toLowerCase() !== 'chunked') throw new FramingError(`transfer-encoding ${te}`);
    return parseChunked(buf, start, status, headers, closed, ended);
  }
  if (cl === undefined) {
    // Only answers that cannot have a body may omit the length (RFC 9112 §6.3).
    if (status === 204 || status === 304 || (status >= 100 && status < 200))
      return { res: { status, headers, body: Buffer.alloc(0), closed }, used: start };
    throw new FramingError(`status ${status} without Content-Length`);
  }
  if (!/^\d+$/.test(cl)) throw new FramingError(`bad Content-Length ${JSON.stringify(cl)}`);
  const len = Number(cl);
  if (status === 204 && len !== 0) throw new FramingError('204 with a body');
  if (buf.length < start + len) {
    if (ended) throw new FramingError(`connection closed after ${buf.length - start} of ${len} body bytes`);
    return undefined;
  }
  return { res: { status, headers, body: buf.subarray(start, start + len), closed }, used: start + len };
}

function parseChunked(
  buf: Buffer,
  start: number,
  status: number,
  headers: Map<string, string>,
  closed: boolean,
  ended: boolean,
): { res: RawResponse; used: number } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size < 0) throw new FramingError('bad chunk size');
    if (buf.length < eol + 2 + size + 2) break;
    if (size === 0) return { res: { status, headers, body: Buffer.concat(parts), closed }, used: eol + 4 };
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  if (ended) throw new FramingError('connection closed inside a chunked body');
  return undefined;
}

/** One keep-alive connection; requests are sent one after another. Reconnects after a close. */
export class RawConnection {
  #socket: Socket | undefined;
  #buf: Buffer = Buffer.alloc(0);
  #ended = false;
  #waiter: (() => void) | undefined;
  #error: Error | undefined;

  constructor(
    readonly port: number,
    readonly timeoutMs = 5_000,
  ) {}

  async request(bytes: Buffer | string): Promise<RawResponse> {
    const s = await this.#open();
    this.#buf = Buffer.alloc(0);
    s.write(bytes);
    const until = Date.now() + this.timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.#buf, this.#ended);
      if (parsed !== undefined) {
        if (parsed.used !== this.#buf.length)
          throw new FramingError(`${this.#buf.length - parsed.used} bytes after the answer`);
        if (parsed.res.closed || this.#ended) this.close();
        return parsed.res;
      }
      if (this.#error !== undefined) throw this.#error;
      const left = until - Date.now();
      if (left <= 0) {
        this.close();
        throw new Error(`no complete answer within ${this.timeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #open(): Promise<Socket> {
    if (this.#socket !== undefined && !this.#ended) return Promise.resolve(this.#socket);
    this.#ended = false;
    this.#error = undefined;
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: this.port });
      s.setNoDelay(true);
      const wake = () => {
        const w = this.#waiter;
        this.#waiter = undefined;
        w?.();
      };
      s.once('connect', () => {
        this.#socket = s;
        resolve(s);
      });
      s.on('data', (d: Buffer) => {
        this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
        wake();
      });
      s.on('end', () => {
        this.#ended = true;
        wake();
      });
      s.on('close', () => {
        this.#ended = true;
        wake();
      });
      s.on('error', (e) => {
        this.#error = e;
        this.#ended = true;
        reject(e);
        wake();
      });
    });
  }
}

/** A POST with the exact headers given (plus Host and Content-Length). */
export function post(path: string, body: Buffer | string, headers: Record<string, string> = {}): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  let head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${b.length}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), b]);
}

/** Percentiles of a sample (nearest rank), ms. */
export function percentiles(xs: readonly number[]): { n: number; p50: number; p99: number; p999: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(at(0.5)), p99: r(at(0.99)), p999: r(at(0.999)), max: r(s.at(-1) ?? 0) };
}
