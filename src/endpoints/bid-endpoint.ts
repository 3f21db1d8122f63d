/**
 * `POST /bid/:channel`: the adapter between HTTP and the bid path. Resolves the channel (404 before any
 * decoding), inflates gzip bodies within a hard limit, decodes JSON or protobuf (by channel and content
 * type) with 400s naming the field, applies the channel's dialect (Prebid), computes the deadline once,
 * runs the auction and answers in the request's format: 200 with a BidResponse, or a no-bid (204, or an
 * empty seatbid for Prebid). Browser channels get CORS for their allowed origins only. Every outcome is
 * counted.
 */
import type { AuctionOutcome, BidPath } from '../auction/bid-path.js';
import { computeDeadline } from '../auction/deadline.js';
import { errorReply, errors } from '../errors.js';
import { kNbr, type NoBidReason } from '../auction/nbr.js';
import type { Clock } from '../clock.js';
import type { Channel, ConfigSnapshot } from '../config/snapshot.js';
import { checkPrebid, emptyResponse, toPrebidResponse, withPrebidPlacements } from '../dialects/prebid.js';
import { gunzipLimited, gzipResponse } from '../http/inflate.js';
import { kNoContent, type HttpReply } from '../http/reply.js';
import type { RequestInfo } from '../http/server.js';
import type { Metrics } from '../metrics/registry.js';
import { decodeJsonRequest } from '../openrtb/decode-json.js';
import type { DecodeResult } from '../openrtb/decode-result.js';
import { encodeJsonResponse } from '../openrtb/encode-json.js';
import { decodeProtoRequest } from '../openrtb/proto/decode-proto.js';
import { encodeProtoResponse } from '../openrtb/proto/encode-proto.js';
import type { BidResponse } from '../openrtb/types.js';

export interface BidEndpointDeps {
  readonly clock: Clock;
  readonly config: { readonly current: ConfigSnapshot };
  readonly bidPath: BidPath;
  readonly metrics: Metrics;
}

type Header = readonly [string, string];

const kJson = 'application/json';
const kProto = 'application/octet-stream';
const kOpenRtbHeader: Header = ['x-openrtb-version', '2.6'];
const kJsonHeaders: readonly Header[] = [kOpenRtbHeader];
/** Below this size gzip costs more than it saves on a loopback or datacenter link. */
const kGzipMinBytes = 1024;
/** With less than this left before the deadline no bid can be priced and sent in time: answer 204 now. */
const kMinServiceMs = 2;
/**
 * Bids waiting on a store lookup or the scoring pool. Past this the event loop's backlog would only grow
 * under overload: new requests are answered 204 at once until it drains.
 */
const kMaxPending = 2048;

function isProtobuf(channel: Channel, contentType: string): boolean {
  if (channel.format !== 'auto') return channel.format === 'protobuf';
  return contentType.startsWith('application/octet-stream') || contentType.includes('protobuf');
}

/** CORS for browser channels: echo an allowed origin exactly, with credentials; never `*`. */
function corsHeaders(channel: Channel, origin: string): readonly Header[] | undefined {
  if (channel.corsOrigins === undefined || origin === '' || !channel.corsOrigins.has(origin)) return undefined;
  return [
    ['access-control-allow-origin', origin],
    ['access-control-allow-credentials', 'true'],
    ['vary', 'Origin'],
  ];
}

export function createBidEndpoint(deps: BidEndpointDeps) {
  const { clock, config, bidPath, metrics } = deps;
  let pending = 0;

  const encode = (res: BidResponse, proto: boolean, gzip: boolean, extra: readonly Header[] | undefined): HttpReply => {
    const raw: string | Uint8Array = proto ? encodeProtoResponse(res) : encodeJsonResponse(res);
    let headers = extra === undefined ? kJsonHeaders : [kOpenRtbHeader, ...extra];
    let body: string | Uint8Array = raw;
    if (gzip && raw.length >= kGzipMinBytes) {
      body = gzipResponse(typeof raw === 'string' ? Buffer.from(raw) : raw);
      headers = [...headers, ['content-encoding', 'gzip'], ['vary', 'Accept-Encoding']];
    }
    return { status: 200, body, contentType: proto ? kProto : kJson, headers };
  };

  const noBid = (
    req: { id: string },
    channel: Channel,
    reason: NoBidReason,
    proto: boolean,
    cors: readonly Header[] | undefined,
    receivedAt: number,
  ): HttpReply => {
    metrics.observeLatency(channel.id, (clock.now() - receivedAt) / 1000);
    metrics.request(channel.id, 'nobid');
    metrics.noBid(channel.id, reason);
    if (channel.prebid !== undefined && channel.prebid.noBid === 'empty') {
      return encode(emptyResponse(req.id, config.current.bidder.currency, kNbr[reason]), proto, false, cors);
    }
    return cors === undefined ? kNoContent : { status: 204, headers: cors };
  };

  const finish = (
    outcome: AuctionOutcome,
    reqId: string,
    channel: Channel,
    code: string | undefined,
    proto: boolean,
    gzip: boolean,
    cors: readonly Header[] | undefined,
    receivedAt: number,
  ): HttpReply => {
    if (!outcome.bid) return noBid({ id: reqId }, channel, outcome.reason, proto, cors, receivedAt);
    metrics.observeLatency(channel.id, (clock.now() - receivedAt) / 1000);
    metrics.request(channel.id, 'bid');
    for (const c of outcome.chosen) metrics.bid(channel.id, c.campaign.id);
    const res =
      code !== undefined && channel.prebid !== undefined
        ? toPrebidResponse(outcome.response, code, channel.prebid.exp)
        : outcome.response;
    return encode(res, proto, gzip, cors);
  };

  return (info: RequestInfo, body: Buffer | undefined): HttpReply | Promise<HttpReply> => {
    const snap = config.current;
    const channel = snap.channels.get(info.param);
    if (channel === undefined) {
      metrics.httpErrors.labels('unknown_channel').inc();
      return errorReply(errors.unknownChannel(info.param));
    }
    const cors = corsHeaders(channel, info.origin);
    if (cors === undefined && info.origin !== '' && channel.corsOrigins !== undefined)
      metrics.httpErrors.labels('cors_refused').inc();
    let bytes: Uint8Array = body ?? Buffer.alloc(0);
    if (info.contentEncoding !== '' && info.contentEncoding !== 'identity') {
      if (info.contentEncoding !== 'gzip' || !channel.gzip) {
        metrics.request(channel.id, 'unsupported');
        return errorReply(
          errors.unsupportedMediaType(`content-encoding ${info.contentEncoding} not accepted on this channel`),
          cors,
        );
      }
      const inflated = gunzipLimited(bytes, snap.bidder.limits.maxInflatedBytes);
      if (!inflated.ok) {
        metrics.request(channel.id, inflated.reason === 'too_large' ? 'too_large' : 'bad_request');
        return errorReply(
          inflated.reason === 'too_large'
            ? errors.bodyTooLarge(snap.bidder.limits.maxInflatedBytes, 'inflated body')
            : errors.badRequest('', 'corrupt gzip body'),
          cors,
        );
      }
      bytes = inflated.bytes;
    }
    const proto = isProtobuf(channel, info.contentType);
    const decoded: DecodeResult = proto ? decodeProtoRequest(bytes) : decodeJsonRequest(bytes);
    if (!decoded.ok) {
      metrics.request(channel.id, 'bad_request');
      return errorReply(errors.badRequest(decoded.path, decoded.message), cors);
    }
    const req = decoded.request;
    let code: string | undefined;
    if (channel.prebid !== undefined) {
      const check = checkPrebid(req, channel.prebid.bidderCodes);
      if (!check.ok) {
        metrics.request(channel.id, 'bad_request');
        return errorReply(errors.badRequest(check.path, check.message), cors);
      }
      if (check.code === undefined) return noBid(req, channel, 'unknown_bidder', proto, cors, info.arrivedAtMs);
      code = check.code;
    }
    const gzip = channel.gzip && info.acceptEncoding.includes('gzip');
    const deadline = computeDeadline(info, req.tmax, channel.timeoutMarginMs, snap.bidder.limits);
    // Shed, don't queue: an answer after the deadline is worth nothing to the exchange and costs the requests
    // behind it their deadlines too.
    const shed = clock.now() + kMinServiceMs > deadline ? 'deadline' : pending >= kMaxPending ? 'queue' : undefined;
    if (shed !== undefined) {
      metrics.shed(channel.id, shed);
      return noBid(req, channel, 'deadline', proto, cors, info.arrivedAtMs);
    }
    const outcome = bidPath.run(code === undefined ? req : withPrebidPlacements(req, code), snap, channel, deadline);
    if (outcome instanceof Promise) {
      pending++;
      metrics.inflight.inc();
      return outcome.then(
        (o) => {
          pending--;
          metrics.inflight.dec();
          return finish(o, req.id, channel, code, proto, gzip, cors, info.arrivedAtMs);
        },
        (err: unknown) => {
          pending--;
          metrics.inflight.dec();
          throw err;
        },
      );
    }
    return finish(outcome, req.id, channel, code, proto, gzip, cors, info.arrivedAtMs);
  };
}

/** `OPTIONS /bid/:channel`: the CORS preflight of browser channels. */
export function createPreflightEndpoint(config: { readonly current: ConfigSnapshot }, metrics: Metrics) {
  return (info: RequestInfo): HttpReply => {
    const channel = config.current.channels.get(info.param);
    if (channel === undefined) return errorReply(errors.unknownChannel(info.param));
    const cors = corsHeaders(channel, info.origin);
    if (cors === undefined) {
      if (info.origin !== '') metrics.httpErrors.labels('cors_refused').inc();
      return { status: 204 };
    }
    return {
      status: 204,
      headers: [
        ...cors,
        ['access-control-allow-methods', 'POST, OPTIONS'],
        ['access-control-allow-headers', 'content-type'],
        ['access-control-max-age', '600'],
      ],
    };
  };
}
