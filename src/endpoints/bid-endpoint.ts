/**
 * `POST /bid/:channel`: the adapter between HTTP and the bid path. Resolves the channel (404 before any
 * decoding), decodes and validates the body (400 naming the field), computes the deadline once, runs the
 * auction and encodes the answer: 200 with a BidResponse, or 204 for no bid. It counts every outcome.
 */
import type { BidPath, AuctionOutcome } from '../auction/bid-path.js';
import { computeDeadline } from '../auction/deadline.js';
import type { Clock } from '../clock.js';
import type { Channel, ConfigSnapshot } from '../config/snapshot.js';
import type { RequestInfo } from '../http/server.js';
import { kNoContent, type HttpReply } from '../http/reply.js';
import type { Metrics } from '../metrics/registry.js';
import { decodeJsonRequest } from '../openrtb/decode-json.js';
import { encodeJsonResponse } from '../openrtb/encode-json.js';

export interface BidEndpointDeps {
  readonly clock: Clock;
  readonly config: { readonly current: ConfigSnapshot };
  readonly bidPath: BidPath;
  readonly metrics: Metrics;
  readonly onBids?: (outcome: Extract<AuctionOutcome, { bid: true }>, channel: Channel) => void;
}

const kJson = 'application/json';
const kOpenRtbHeaders: readonly (readonly [string, string])[] = [['x-openrtb-version', '2.6']];

export function createBidEndpoint(deps: BidEndpointDeps): (info: RequestInfo, body: Buffer | undefined) => HttpReply | Promise<HttpReply> {
  const { clock, config, bidPath, metrics } = deps;

  const finish = (outcome: AuctionOutcome, channel: Channel, receivedAt: number): HttpReply => {
    metrics.observeLatency(channel.id, (clock.now() - receivedAt) / 1000);
    if (!outcome.bid) {
      metrics.request(channel.id, 'nobid');
      metrics.noBid(channel.id, outcome.reason);
      return kNoContent;
    }
    metrics.request(channel.id, 'bid');
    for (const c of outcome.chosen) metrics.bids.labels(channel.id, c.campaign.id).inc();
    deps.onBids?.(outcome, channel);
    return { status: 200, body: encodeJsonResponse(outcome.response), contentType: kJson, headers: kOpenRtbHeaders };
  };

  return (info, body) => {
    const snap = config.current;
    const channel = snap.channels.get(info.param);
    if (channel === undefined) {
      metrics.httpErrors.labels('unknown_channel').inc();
      return { status: 404, body: JSON.stringify({ error: `unknown channel ${JSON.stringify(info.param)}`, code: 'UNKNOWN_CHANNEL' }), contentType: kJson };
    }
    const decoded = decodeJsonRequest(body ?? '');
    if (!decoded.ok) {
      metrics.request(channel.id, 'bad_request');
      const error = decoded.path === '' ? decoded.message : `${decoded.path}: ${decoded.message}`;
      return { status: 400, body: JSON.stringify({ error, code: 'BAD_REQUEST', path: decoded.path }), contentType: kJson };
    }
    const req = decoded.request;
    const deadline = computeDeadline(info.receivedAtMs, req.tmax, channel.timeoutMarginMs, snap.bidder.limits);
    let outcome: AuctionOutcome | Promise<AuctionOutcome>;
    try {
      outcome = bidPath.run(req, snap, channel, deadline);
    } catch (err) {
      metrics.request(channel.id, 'error');
      metrics.noBid(channel.id, 'error');
      throw err;
    }
    if (outcome instanceof Promise) return outcome.then((o) => finish(o, channel, info.receivedAtMs));
    return finish(outcome, channel, info.receivedAtMs);
  };
}
