/**
 * `GET /notice/{win,bill,loss,imp}` and `GET /click`: query parsing and replies around `NoticeHandler`.
 * Notices answer 200 (also for a duplicate, so exchanges stop retrying), 403 for a bad token, 400 for a
 * bad price, 503 with `Retry-After` when the store failed (nothing was recorded: the retry counts); a click
 * answers 302 to the creative's configured landing page.
 */
import { errorReply, errors } from '../errors.js';
import type { RequestInfo } from '../http/server.js';
import type { HttpReply } from '../http/reply.js';
import type { NoticeHandler, NoticeQuery, NoticeResult } from '../notices/notice-handler.js';

/** Exchanges retry a notice on 5xx; one second is long enough for a Redis failover to begin to settle. */
const kRetryLater: HttpReply = errorReply(errors.notReady('store unavailable, nothing recorded: retry'), [
  ['retry-after', '1'],
]);

function queryOf(info: RequestInfo): NoticeQuery {
  const q = new URLSearchParams(info.query);
  return { t: q.get('t') ?? undefined, p: q.get('p') ?? undefined, r: q.get('r') ?? undefined };
}

function reply(r: NoticeResult): HttpReply {
  if (r.status === 302 && r.location !== undefined)
    return {
      status: 302,
      headers: [
        ['location', r.location],
        ['cache-control', 'no-store'],
      ],
    };
  if (r.status === 200) return { status: 200, body: '', contentType: 'text/plain' };
  if (r.status === 503) return kRetryLater;
  const why = r.outcome.replace('_', ' ');
  return errorReply(
    r.status === 403 ? errors.badToken(why) : r.status === 400 ? errors.badPrice(why) : errors.notFound(),
  );
}

export function createNoticeEndpoint(handler: NoticeHandler, type: 'win' | 'bill' | 'loss') {
  return (info: RequestInfo): Promise<HttpReply> => handler.handle(type, queryOf(info)).then(reply);
}

/** `GET /notice/imp`: the impression beacon of channels billed server to server (counts, never bills). */
export function createImpressionEndpoint(handler: NoticeHandler) {
  return (info: RequestInfo): Promise<HttpReply> => handler.impression(queryOf(info)).then(reply);
}

export function createClickEndpoint(handler: NoticeHandler) {
  return (info: RequestInfo): Promise<HttpReply> => handler.click(queryOf(info)).then(reply);
}
