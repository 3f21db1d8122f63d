/**
 * Who may call the admin API (`/admin/*` on the ops port), and the audit of every call.
 *
 * - A bearer token is required by default. When `PEREGRINE_ADMIN_TOKEN` (`admin.token`) is not set, the
 *   bidder makes a random token for the run and logs it once at start (snapshot.ts, app.ts), so a fresh
 *   checkout's admin API works without being open to every process on the host.
 * - Loopback callers without a token only with the explicit development setting `PEREGRINE_ADMIN_OPEN=loopback`
 *   (`admin.open: loopback`) and no token configured: a configured token always wins.
 * - The scheme is case-insensitive (RFC 9110 §11.1); the token must match exactly — no trimming, so a token
 *   with a trailing space is refused — and is compared in constant time (both sides hashed first, so the
 *   comparison does not even leak the length).
 * - Every call is reported to `audit` (method, path, route, outcome, status, remote address; never the token).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { errorReply, errors } from '../errors.js';
import type { HttpReply } from '../http/reply.js';
import type { RequestInfo } from '../http/server.js';

export interface AdminPolicy {
  /** The token callers must present; undefined only in loopback-open development mode. */
  readonly adminToken: string | undefined;
  readonly adminOpen: 'loopback' | undefined;
}

export type AdminOutcome = 'ok' | 'unauthorized' | 'error';

export interface AdminCall {
  readonly method: string;
  readonly path: string;
  /** The route pattern (`/admin/replay/:channel`), for metric labels. */
  readonly route: string;
  readonly outcome: AdminOutcome;
  readonly status: number;
  readonly remoteAddress: string;
}

export type AdminAudit = (call: AdminCall) => void;

const kScheme = /^bearer +/i;

/** The credentials of an `Authorization: Bearer <token>` header, exactly as sent; undefined for another scheme. */
export function bearerToken(authorization: string): string | undefined {
  const m = kScheme.exec(authorization);
  return m === null ? undefined : authorization.slice(m[0].length);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function adminAllowed(info: Pick<RequestInfo, 'authorization' | 'remoteAddress'>, policy: AdminPolicy): boolean {
  const token = policy.adminToken;
  if (token === undefined) return policy.adminOpen === 'loopback' && isLoopback(info.remoteAddress);
  const given = bearerToken(info.authorization);
  // Hash both sides: equal-length digests, so timingSafeEqual never short-cuts on length.
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

function isLoopback(addr: string): boolean {
  return (
    addr === '::1' ||
    addr.startsWith('127.') ||
    addr === '0000:0000:0000:0000:0000:0000:0000:0001' ||
    addr.startsWith('::ffff:127.') ||
    addr.startsWith('0000:0000:0000:0000:0000:ffff:7f')
  );
}

const kUnauthorized: HttpReply = errorReply(errors.unauthorized(), [['www-authenticate', 'Bearer']]);

function outcomeOf(status: number): AdminOutcome {
  return status < 400 ? 'ok' : status === 401 ? 'unauthorized' : 'error';
}

/**
 * A guard factory: `guard(route, handler)` answers 401 to callers the policy refuses and audits every call,
 * allowed or not, with the status it got (a handler that throws is audited as a 500, then rethrown).
 */
export function adminGuard(config: { readonly current: AdminPolicy }, audit: AdminAudit) {
  return <B>(route: string, handler: (info: RequestInfo, body: B) => HttpReply | Promise<HttpReply>) =>
    (info: RequestInfo, body: B): HttpReply | Promise<HttpReply> => {
      const report = (status: number): void =>
        audit({
          method: info.method.toUpperCase(),
          path: info.url,
          route,
          outcome: outcomeOf(status),
          status,
          remoteAddress: info.remoteAddress,
        });
      if (!adminAllowed(info, config.current)) {
        report(401);
        return kUnauthorized;
      }
      let reply: HttpReply | Promise<HttpReply>;
      try {
        reply = handler(info, body);
      } catch (err) {
        report(500);
        throw err;
      }
      if (!(reply instanceof Promise)) {
        report(reply.status);
        return reply;
      }
      return reply.then(
        (r) => {
          report(r.status);
          return r;
        },
        (err: unknown) => {
          report(500);
          throw err;
        },
      );
    };
}
