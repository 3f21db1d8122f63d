/**
 * A thin layer over one uWebSockets.js app: routes with a body limit, abort handling, and replies written
 * corked. It knows HTTP only; handlers get the bytes and a few captured headers and return an `HttpReply`
 * (or a promise of one). uWS request objects are valid only during the synchronous handler, so everything
 * a handler may need later is copied out first.
 */
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';
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
  /** The extra request headers the server was asked to capture (`ServerOptions.headers`), lower-case names. */
  readonly headers?: Readonly<Record<string, string>>;
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
  /** More request headers to copy into `RequestInfo.headers` (the ops port's console wants cookies, CSRF, ETags). */
  readonly headers?: readonly string[];
}

const kNoHeaders: Readonly<Record<string, string>> = Object.freeze({});

type Method = 'get' | 'post' | 'options' | 'put' | 'del';

const kEmptyReply: HttpReply = errorReply(errors.internal());

export class HttpServer {
  readonly #app: TemplatedApp;
  readonly #opts: ServerOptions;
  readonly #decoder = new TextDecoder();
  #listen: us_listen_socket | undefined;
  #inflight = 0;
  /** Extra headers on every reply (e.g. `connection: close` while draining). */
  closing = false;

  constructor(uws: Uws, opts: ServerOptions) {
    this.#app = uws.App();
    this.#opts = opts;
  }

  get inflight(): number {
    return this.#inflight;
  }

  /** Registers `methods` on `pattern`; every other method on it gets 405 with an Allow header. */
  route(pattern: string, methods: Partial<Record<Method, { handler: Handler; body?: boolean }>>): this {
    const allowed = Object.keys(methods).map((m) => (m === 'del' ? 'DELETE' : m.toUpperCase()));
    const methodNotAllowed = errorReply(errors.methodNotAllowed(allowed.join(', ')), [['allow', allowed.join(', ')]]);
    for (const [method, spec] of Object.entries(methods) as [Method, { handler: Handler; body?: boolean }][]) {
      this.#app[method](pattern, (res, req) => this.#handle(res, req, spec.handler, spec.body === true));
    }
    this.#app.any(pattern, (res) => {
      this.#opts.events.onEdgeError('method_not_allowed');
      this.#write(res, methodNotAllowed, undefined);
    });
    return this;
  }

  /** The reply for anything no route matched. */
  fallback(reply: HttpReply): this {
    this.#app.any('/*', (res) => {
      this.#opts.events.onEdgeError('not_found');
      this.#write(res, reply, undefined);
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

  #handle(res: HttpResponse, req: HttpRequest, handler: Handler, wantsBody: boolean): void {
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
      headers: this.#opts.headers === undefined ? kNoHeaders : captureHeaders(req, this.#opts.headers),
      receivedAtMs: 0,
    };
    const state = { aborted: false };
    res.onAborted(() => {
      state.aborted = true;
    });
    this.#inflight++;
    if (!wantsBody) {
      info.receivedAtMs = this.#opts.now();
      this.#run(res, info, undefined, handler, state);
      return;
    }
    const limit = this.#opts.maxBodyBytes;
    const declared = req.getHeader('content-length');
    if (declared !== '' && Number(declared) > limit) {
      this.#tooLarge(res, state);
      return;
    }
    let chunks: Buffer[] | undefined;
    let size = 0;
    let refused = false;
    res.onData((chunk, isLast) => {
      if (refused) return;
      size += chunk.byteLength;
      if (size > limit) {
        refused = true;
        this.#tooLarge(res, state);
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

  #run(
    res: HttpResponse,
    info: RequestInfo,
    body: Buffer | undefined,
    handler: Handler,
    state: { aborted: boolean },
  ): void {
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

  #finish(res: HttpResponse, reply: HttpReply, state: { aborted: boolean }): void {
    this.#inflight--;
    if (state.aborted) return;
    this.#write(res, reply, state);
  }

  #tooLarge(res: HttpResponse, state: { aborted: boolean }): void {
    this.#opts.events.onEdgeError('body_too_large');
    this.#inflight--;
    if (state.aborted) return;
    // Close the connection: the rest of the oversized body is not worth reading.
    res.cork(() => {
      res
        .writeStatus(statusLine(413))
        .writeHeader('content-type', 'application/json')
        .end(JSON.stringify(errors.bodyTooLarge(this.#opts.maxBodyBytes).toJSON()), true);
    });
    state.aborted = true;
  }

  #write(res: HttpResponse, r: HttpReply, state: { aborted: boolean } | undefined): void {
    if (state?.aborted === true) return;
    res.cork(() => {
      res.writeStatus(statusLine(r.status));
      if (r.contentType !== undefined) res.writeHeader('content-type', r.contentType);
      if (r.headers !== undefined) for (const [k, v] of r.headers) res.writeHeader(k, v);
      // RFC 9110 §8.6: no Content-Length on a 204. uWS writes none only when called without arguments (an
      // explicit `undefined` becomes 2^63, which strict clients wait for); closing needs the argument, so that
      // one case carries `Content-Length: 0`, which every client reads as "no body".
      if (r.status === 204) {
        if (this.closing) res.endWithoutBody(0, true);
        else res.endWithoutBody();
      } else res.end(r.body ?? '', this.closing);
    });
  }
}

function captureHeaders(req: HttpRequest, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = req.getHeader(n);
  return out;
}
