/**
 * `POST :OPS_PORT/admin/replay/:channel?debug=1`: runs a bid request through the real bid path without
 * spending anything (no budget is reserved, no bid is logged) and answers with the outcome and, with
 * `debug=1`, every scored candidate's explanation: features, model outputs, multipliers, value, shaded
 * price. Only on the ops port, behind the admin guard; the public port never explains.
 */
import type { BidPath } from '../auction/bid-path.js';
import type { ConfigSnapshot } from '../config/snapshot.js';
import type { Clock } from '../clock.js';
import { errorReply, errors } from '../errors.js';
import { jsonReply, type HttpReply } from '../http/reply.js';
import type { RequestInfo } from '../http/server.js';
import { decodeJsonRequest } from '../openrtb/decode-json.js';

export function createReplayEndpoint(deps: {
  readonly clock: Clock;
  readonly config: { readonly current: ConfigSnapshot };
  readonly bidPath: BidPath;
}) {
  return async (info: RequestInfo, body: Buffer | undefined): Promise<HttpReply> => {
    const snap = deps.config.current;
    const channel = snap.channels.get(info.param);
    if (channel === undefined) return errorReply(errors.unknownChannel(info.param));
    const decoded = decodeJsonRequest(body ?? '');
    if (!decoded.ok) return errorReply(errors.badRequest(decoded.path, decoded.message));
    const debug = new URLSearchParams(info.query).get('debug') === '1';
    // A generous deadline: replay is for people reading explanations, not for exchanges.
    const outcome = await deps.bidPath.run(decoded.request, snap, channel, deps.clock.now() + 1_000, debug);
    return jsonReply(
      200,
      outcome.bid
        ? { bid: true, response: outcome.response, explanations: outcome.explanations }
        : { bid: false, reason: outcome.reason, explanations: outcome.explanations },
    );
  };
}
