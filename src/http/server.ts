/**
 * A thin layer over one uWebSockets.js app: routes with a body limit, abort handling, and replies written
 * corked. It knows HTTP only; handlers get the bytes and a few captured headers and return an `HttpReply`
 * (or a promise of one). uWS request objects are valid only during the synchronous handler, so everything
 * a handler may need later is copied out first.
 */
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { ArrivalEstimator } from './arrival.js';
import type { Uws } from './native-check.js';
import { errorReply, errors } from '../errors.js';
import { statusLine, type HttpReply } from './reply.js';

export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  readonly query: string;
  /** The route's first `:param`, if any. */
  readonly param: string;
  readonly contentType: string;
  readonly contentEncoding: string;
  readonly acceptEncoding: string;
  readonly origin: string;
  readonly authorization: string;
  readonly remoteAddress: string;
  /**
   * When the request most likely reached the machine, from the server's clock: the moment uWS handed over
   * its headers, moved back by the time it may have waited in the kernel while the event loop was busy (see
   * http/arrival.ts), so queueing and a slow body count against the deadline.
   */
  readonly arrivedAtMs: number;
  /** When the last body byte arrived (or the request, without a body), from the server's clock. */
  receivedAtMs: number;
}

export type Handler = (info: RequestInfo, body: Buffer | undefined) => HttpReply | Promise<HttpReply>;

export interface ServerEvents {
  /** A reply was refused at the edge (too large, bad method) before any handler ran. */
  onEdgeError(code: 'body_too_large' | 'method_not_allowed' | 'not_found'): void;
  /** A handler threw or rejected: a broken invariant, logged by the caller. */
  onHandlerError(err: unknown): void;
}

export interface ServerOptions {
  readonly maxBodyBytes: number;
  readonly now: () => number;
  readonly events: ServerEvents;
  /** Capture the remote address (the ops port wants it for the admin loopback rule). */
  readonly remoteAddress?: boolean;
}

type Method = 'get' | 'post' | 'options' | 'put' | 'del';

const kEmptyReply: HttpReply = errorReply(errors.internal());

/**
 * An oversized body up to this size is read and dropped before the 413 goes out (see `#handle`); beyond it
 * the connection is closed at once, and a client still sending may see a reset instead of the 413.
 */
const kDrainLimitBytes = 8 << 20;

/** One request's progress: answered or dropped (`done`), and whether the client is gone (`aborted`). */
interface Exchange {
  aborted: boolean;
  done: boolean;
  readonly head: boolean;
}

export class HttpServer {
  readonly #app: TemplatedApp;
  readonly #opts: ServerOptions;
  readonly #decoder = new TextDecoder();
  #listen: us_listen_socket | undefined;
  #inflight = 0;
  readonly #arrivals: ArrivalEstimator;
  readonly #tooLargeReply: HttpReply;
  /** Extra headers on every reply (e.g. `connection: close` while draining). */
  closing = false;
  readonly #routes: { readonly pattern: string; readonly methods: readonly string[] }[] = [];

  constructor(uws: Uws, opts: ServerOptions) {
    this.#app = uws.App();
    this.#opts = opts;
    this.#tooLargeReply = errorReply(errors.bodyTooLarge(opts.maxBodyBytes));
    this.#arrivals = new ArrivalEstimator({ now: opts.now, afterTurn: (fn) => setImmediate(fn) });
  }

  get inflight(): number {
    return this.#inflight;
  }

  /**
   * Registers `methods` on `pattern`; every other method on it gets 405 with an Allow header. A GET route also
   * answers HEAD (RFC 9110 §9.3.2: the same status and headers, no body).
   */
  route(pattern: string, methods: Partial<Record<Method, { handler: Handler; body?: boolean }>>): this {
    const names = Object.keys(methods).map((m) => (m === 'del' ? 'DELETE' : m.toUpperCase()));
    // The documented methods; the HEAD that every GET implies is not listed separately.
    this.#routes.push({ pattern, methods: [...names] });
    if (methods.get !== undefined) names.push('HEAD');
    const allowed = names.join(', ');
    const methodNotAllowed = errorReply(errors.methodNotAllowed(allowed), [['allow', allowed]]);
    for (const [method, spec] of Object.entries(methods) as [Method, { handler: Handler; body?: boolean }][]) {
      this.#app[method](pattern, (res, req) => this.#handle(res, req, spec.handler, spec.body === true, false));
    }
    const get = methods.get;
    if (get !== undefined) this.#app.head(pattern, (res, req) => this.#handle(res, req, get.handler, false, true));
    this.#app.any(pattern, (res, req) => {
      this.#opts.events.onEdgeError('method_not_allowed');
      this.#write(res, methodNotAllowed, req.getMethod() === 'head', false);
    });
    return this;
  }

  /** Every registered route (pattern as given, e.g. `/admin/replay/:channel`) with its methods, in order. */
  get routes(): readonly { readonly pattern: string; readonly methods: readonly string[] }[] {
    return this.#routes;
  }

  /** The reply for anything no route matched. */
  fallback(reply: HttpReply): this {
    this.#app.any('/*', (res, req) => {
      this.#opts.events.onEdgeError('not_found');
      this.#write(res, reply, req.getMethod() === 'head', false);
    });
    return this;
  }

  listen(host: string, port: number, uws: Uws): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#app.listen(host, port, (socket) => {
        if (socket === false) {
          reject(new Error(`cannot listen on ${host}:${port}`));
          return;
        }
        this.#listen = socket;
        resolve(uws.us_socket_local_port(socket as unknown as Parameters<Uws['us_socket_local_port']>[0]));
      });
    });
  }

  /** Stops accepting connections; requests in flight and open keep-alive connections carry on. */
  stopListening(uws: Uws): void {
    if (this.#listen !== undefined) {
      uws.us_listen_socket_close(this.#listen);
      this.#listen = undefined;
    }
  }

  #handle(res: HttpResponse, req: HttpRequest, handler: Handler, wantsBody: boolean, head: boolean): void {
    const arrivedAtMs = this.#arrivals.arrival();
    const info: RequestInfo = {
      method: req.getMethod(),
      url: req.getUrl(),
      query: req.getQuery() ?? '',
      param: req.getParameter(0) ?? '',
      contentType: req.getHeader('content-type'),
      contentEncoding: req.getHeader('content-encoding'),
      acceptEncoding: req.getHeader('accept-encoding'),
      origin: req.getHeader('origin'),
      authorization: req.getHeader('authorization'),
      remoteAddress: this.#opts.remoteAddress === true ? this.#decoder.decode(res.getRemoteAddressAsText()) : '',
      arrivedAtMs,
      receivedAtMs: arrivedAtMs,
    };
    const state: Exchange = { aborted: false, done: false, head };
    this.#inflight++;
    res.onAborted(() => {
      state.aborted = true;
      // A request dropped before its answer (mid-body, or while the handler awaits) is no longer in flight:
      // without this a drain would wait its full timeout for connections that are gone.
      this.#settle(state);
    });
    if (!wantsBody) {
      this.#run(res, info, undefined, handler, state);
      return;
    }
    const limit = this.#opts.maxBodyBytes;
    const declared = req.getHeader('content-length');
    const declaredBytes = declared === '' ? 0 : Number(declared);
    let chunks: Buffer[] | undefined;
    let size = 0;
    // Over the limit: keep reading (and dropping) a body of reasonable size before answering 413, because
    // closing a socket with unread bytes makes the kernel send RST, which discards the 413 at the client.
    let refused = declaredBytes > limit;
    if (refused && declaredBytes > kDrainLimitBytes) {
      this.#tooLarge(res, state);
      return;
    }
    res.onData((chunk, isLast) => {
      if (state.done) return;
      size += chunk.byteLength;
      if (!refused && size > limit) refused = true;
      if (refused) {
        if (isLast || size > kDrainLimitBytes) this.#tooLarge(res, state);
        return;
      }
      // uWS neuters the chunk after this callback: copy it.
      const copy = Buffer.copyBytesFrom(new Uint8Array(chunk));
      if (!isLast) {
        (chunks ??= []).push(copy);
        return;
      }
      const body = chunks === undefined ? copy : Buffer.concat([...chunks, copy], size);
      info.receivedAtMs = this.#opts.now();
      this.#run(res, info, body, handler, state);
    });
  }

  #run(res: HttpResponse, info: RequestInfo, body: Buffer | undefined, handler: Handler, state: Exchange): void {
    let reply: HttpReply | Promise<HttpReply>;
    try {
      reply = handler(info, body);
    } catch (err) {
      this.#opts.events.onHandlerError(err);
      reply = kEmptyReply;
    }
    if (reply instanceof Promise) {
      reply.then(
        (r) => this.#finish(res, r, state),
        (err: unknown) => {
          this.#opts.events.onHandlerError(err);
          this.#finish(res, kEmptyReply, state);
        },
      );
    } else {
      this.#finish(res, reply, state);
    }
  }

  /** Counts an exchange out of flight exactly once, whichever of answer and abort comes first. */
  #settle(state: Exchange): boolean {
    if (state.done) return false;
    state.done = true;
    this.#inflight--;
    return true;
  }

  #finish(res: HttpResponse, reply: HttpReply, state: Exchange): void {
    if (!this.#settle(state) || state.aborted) return;
    this.#write(res, reply, state.head, false);
  }

  #tooLarge(res: HttpResponse, state: Exchange): void {
    this.#opts.events.onEdgeError('body_too_large');
    if (!this.#settle(state) || state.aborted) return;
    this.#write(res, this.#tooLargeReply, false, true);
  }

  /** Writes a whole reply in one corked syscall; `head` sends the headers a GET would have, without the body. */
  #write(res: HttpResponse, r: HttpReply, head: boolean, close: boolean): void {
    const closing = close || this.closing;
    res.cork(() => {
      res.writeStatus(statusLine(r.status));
      if (r.contentType !== undefined) res.writeHeader('content-type', r.contentType);
      if (r.headers !== undefined) for (const [k, v] of r.headers) res.writeHeader(k, v);
      // RFC 9110 §8.6: no Content-Length on a 204. uWS writes none only when called without arguments (an
      // explicit `undefined` becomes 2^63, which strict clients wait for); closing needs the argument, so that
      // one case carries `Content-Length: 0`, which every client reads as "no body".
      if (r.status === 204) {
        if (closing) res.endWithoutBody(0, true);
        else res.endWithoutBody();
      } else if (head) {
        // uWS 20.30 waits for the body when given a non-zero length here, so the header is written by hand.
        // (A HEAD answer while draining therefore keeps its connection; the drain closes it at the end.)
        res.writeHeader('content-length', String(byteLength(r.body))).endWithoutBody();
      } else res.end(r.body ?? '', closing);
    });
  }
}

function byteLength(body: string | Uint8Array | undefined): number {
  if (body === undefined) return 0;
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}
