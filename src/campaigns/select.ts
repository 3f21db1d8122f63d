/**
 * Request-level selection helpers shared by the bid path and the selection benchmark.
 *
 * Campaign indices are ordered by price bound (highest possible bid first, see `config/snapshot.ts`), so
 * walking an imp's bitset from bit 0 visits campaigns from the most to the least they could pay. The bid
 * path stops as soon as the candidates it holds beat every bound still ahead (branch and bound): the work
 * per imp follows how deep it must look, not how many campaigns match.
 *
 * Request-level residual checks run at most once per campaign per request, remembered in a generation-
 * stamped memo owned by the snapshot's index (no per-request allocation).
 */
import type { BidRequest } from '../openrtb/types.js';
import type { Campaign } from './model.js';
import { checkRequest, Drop } from './residual.js';
import type { TimeZoneTable } from './time-zones.js';

const kUnknown = 0;
const kPass = 1;
const kTargeting = 2;
const kBlocked = 3;

export class RequestMemo {
  readonly #memo: Int32Array;
  #generation = 0;

  constructor(size: number) {
    this.#memo = new Int32Array(Math.max(1, size));
  }

  /** Starts a request: every campaign's check is unknown again. */
  begin(): void {
    if (++this.#generation >= 1 << 28) {
      this.#memo.fill(0);
      this.#generation = 1;
    }
  }

  /** The request-level residual check for `c`, computed once per request. */
  check(c: Campaign, req: BidRequest, nowMs: number, zones: TimeZoneTable): Drop {
    const stamp = this.#generation << 2;
    const v = this.#memo[c.index]!;
    if (v >>> 2 === this.#generation && (v & 3) !== kUnknown) {
      const r = v & 3;
      return r === kPass ? Drop.None : r === kBlocked ? Drop.Blocked : Drop.Targeting;
    }
    const drop = checkRequest(c, req, nowMs, zones.at(c.timezone, nowMs).hourOfWeek);
    this.#memo[c.index] = stamp | (drop === Drop.None ? kPass : drop === Drop.Blocked ? kBlocked : kTargeting);
    return drop;
  }
}
