/**
 * A deliberately strict HTTP/1.1 client on a raw socket, for wire tests: it writes exactly the bytes it is
 * given (so tests can pipeline, split, or send malformed requests) and parses answers the way the strictest
 * exchange client would — a response is framed by its Content-Length (or chunked encoding), a 204/304 or a
 * HEAD answer has no body, and anything else (a missing length on a kept-alive connection, two lengths, a
 * length the bytes do not match) is a framing error, never "read until close". `RawConnection` is the socket
 * (write anything, read answers in order: pipelining); `KeepAliveClient` is a load client's view of it, one
 * request at a time on a kept-alive connection that reopens after a close, with nothing allowed after an answer.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly version: string;
  readonly status: number;
  /** Header names lower-cased; repeated headers keep every value. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: Buffer;
  /** The whole response as received, for failure messages. */
  readonly raw: string;
}

/** The answer broke HTTP/1.1 framing (or stopped half-way). */
export class FramingError extends Error {}

/** No answer at all: nothing arrived in time, or the connection closed before a byte of one. */
export class NoAnswerError extends Error {}

export interface ReadOptions {
  /** The request was HEAD: the answer has headers only, whatever its Content-Length says. */
  readonly head?: boolean;
  readonly timeoutMs?: number;
}

const kCrlf2 = Buffer.from('\r\n\r\n');

export class RawConnection {
  readonly #socket: Socket;
  #buf = Buffer.alloc(0);
  #closed = false;
  #waiter: (() => void) | undefined;
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.#closed = true;
        this.#wake();
        resolve();
      });
    });
    socket.on('data', (chunk: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, chunk]);
      this.#wake();
    });
    socket.on('error', () => {
      // A reset shows up as `close`; the tests read `isClosed` and what arrived before it.
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Bytes received but not yet consumed by `read`. */
  get pending(): Buffer {
    return this.#buf;
  }

  write(data: string | Buffer): void {
    this.#socket.write(data);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  /** Reads one response; rejects with FramingError on bad framing, or when the connection closes first. */
  async read(opts: ReadOptions = {}): Promise<RawResponse> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
    for (;;) {
      const parsed = this.#tryParse(opts.head === true);
      if (parsed !== undefined) return parsed;
      if (this.#closed && this.#buf.length === 0) throw new NoAnswerError('connection closed before an answer');
      if (this.#closed)
        throw new FramingError(`connection closed with ${this.#buf.length} unparsed bytes: ${this.#buf.toString()}`);
      const left = deadline - Date.now();
      if (left <= 0 && this.#buf.length === 0)
        throw new NoAnswerError(`no answer within ${opts.timeoutMs ?? 5_000} ms`);
      if (left <= 0) throw new FramingError(`no complete response in time; received: ${this.#buf.toString()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Resolves true if the server closes the connection within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    if (this.#closed) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const r = await Promise.race([this.closed.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return r;
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  #tryParse(head: boolean): RawResponse | undefined {
    const end = this.#buf.indexOf(kCrlf2);
    if (end < 0) return undefined;
    const lines = this.#buf.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^(HTTP\/1\.[01]) (\d{3}) [^\r\n]*$/.exec(lines[0] ?? '');
    if (m === null) throw new FramingError(`bad status line: ${JSON.stringify(lines[0])}`);
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0 || /\s/.test(line.slice(0, colon))) throw new FramingError(`bad header line: ${line}`);
      const name = line.slice(0, colon).toLowerCase();
      const list = headers.get(name) ?? [];
      list.push(line.slice(colon + 1).trim());
      headers.set(name, list);
    }
    const status = Number(m[2]);
    const start = end + 4;
    const lengths = headers.get('content-length');
    const chunked = headers.get('transfer-encoding')?.some((v) => v.toLowerCase().includes('chunked')) === true;
    let bodyEnd: number;
    let body: Buffer;
    if (lengths !== undefined && lengths.length > 1) throw new FramingError(`several Content-Length: ${lengths}`);
    if (chunked && lengths !== undefined) throw new FramingError('both Content-Length and Transfer-Encoding');
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
      if (status === 204 && lengths !== undefined && lengths[0] !== '0')
        throw new FramingError(`204 with Content-Length ${lengths[0]}`);
      bodyEnd = start;
      body = Buffer.alloc(0);
    } else if (chunked) {
      const r = parseChunked(this.#buf, start);
      if (r === undefined) return undefined;
      bodyEnd = r.end;
      body = head ? Buffer.alloc(0) : r.body;
    } else if (lengths !== undefined) {
      if (!/^\d+$/.test(lengths[0]!)) throw new FramingError(`bad Content-Length ${lengths[0]}`);
      const n = Number(lengths[0]);
      if (!Number.isSafeInteger(n)) throw new FramingError(`absurd Content-Length ${lengths[0]}`);
      bodyEnd = head ? start : start + n;
      if (this.#buf.length < bodyEnd) return undefined;
      body = this.#buf.subarray(start, bodyEnd);
    } else {
      throw new FramingError(`status ${status} with neither Content-Length nor chunked encoding`);
    }
    const raw = this.#buf.subarray(0, bodyEnd).toString('latin1');
    const response: RawResponse = { version: m[1]!, status, headers, body: Buffer.from(body), raw };
    this.#buf = this.#buf.subarray(bodyEnd);
    return response;
  }
}

function parseChunked(buf: Buffer, from: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = Number.parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw new FramingError('bad chunk size');
    if (size === 0) {
      const trailerEnd = buf.indexOf(kCrlf2, eol);
      if (trailerEnd === eol) return { body: Buffer.concat(parts), end: eol + 4 };
      if (buf.length < eol + 4) return undefined;
      return { body: Buffer.concat(parts), end: eol + 4 };
    }
    if (buf.length < eol + 2 + size + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/**
 * One keep-alive connection as a load client uses it: a request, its whole answer, the next; a connection the
 * server closed (or asked to close, or that failed) is reopened for the next request.
 */
export class KeepAliveClient {
  #conn: RawConnection | undefined;

  constructor(
    readonly port: number,
    readonly timeoutMs = 5_000,
  ) {}

  async request(bytes: Buffer | string): Promise<RawResponse> {
    if (this.#conn === undefined || this.#conn.isClosed) this.#conn = await RawConnection.open(this.port);
    const c = this.#conn;
    c.write(bytes);
    try {
      const res = await c.read({ timeoutMs: this.timeoutMs });
      if (c.pending.length > 0) throw new FramingError(`${c.pending.length} bytes after the answer`);
      if (res.headers.get('connection')?.some((v) => v.toLowerCase() === 'close')) this.close();
      return res;
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    this.#conn?.destroy();
    this.#conn = undefined;
  }
}

/** A POST with exactly these headers, plus Host and Content-Length. */
export function post(path: string, body: Buffer | string, headers: Record<string, string> = {}): Buffer {
  return request('POST', path, { body, headers });
}

/** One request as bytes: `Host` and `Content-Length` are added unless the caller passes its own. */
export function request(
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string>; version?: string } = {},
): Buffer {
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const headers: Record<string, string> = { host: 'localhost', ...opts.headers };
  if (body !== undefined && !Object.keys(headers).some((k) => /^(content-length|transfer-encoding)$/i.test(k)))
    headers['content-length'] = String(body.length);
  const head = `${method} ${path} ${opts.version ?? 'HTTP/1.1'}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return body === undefined ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** A chunked body in chunks of `size` bytes. */
export function chunked(body: string, size: number): string {
  let out = '';
  for (let i = 0; i < body.length; i += size) {
    const part = body.slice(i, i + size);
    out += `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`;
  }
  return `${out}0\r\n\r\n`;
}
