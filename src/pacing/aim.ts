/**
 * Where a pacing controller aims on the target curve: the two points of the day it compares spend with.
 * Shared by the pacing gate (`PacingGate.factor`) and the Mystique anchor driver (sim/mystique.ts), so
 * that the simulator paces with exactly the arithmetic the bidder runs.
 *
 *     now ──lead──▶ leadAt ──horizon──▶ aheadAt            both clamped to the end of the day
 *                   targetNow           targetAhead
 *
 * The lead puts the aim a little ahead of the curve: billing notices arrive seconds to minutes after the
 * spend, and the last of the day must land before midnight rather than after it. The horizon is how long
 * the controller gives itself to close a gap (its desired rate is "reach `targetAhead` by `aheadAt`").
 * Near the end of the day both points pile up at midnight and `aheadMs` shrinks with the time left.
 *
 * Times only: the caller evaluates its own target curve (linear, traffic-shaped) at the two points.
 */

export interface Aim {
  /** The point `targetNow` is read at: now + lead, at most the end of the day. */
  readonly leadAt: number;
  /** The point `targetAhead` is read at: leadAt + horizon, at most the end of the day. */
  readonly aheadAt: number;
  /** aheadAt − now, never negative: the time the controller has to reach `targetAhead`. */
  readonly aheadMs: number;
}

export function aim(nowMs: number, dayEndMs: number, leadMs: number, horizonMs: number): Aim {
  const leadAt = Math.min(dayEndMs, nowMs + leadMs);
  const aheadAt = Math.min(dayEndMs, leadAt + horizonMs);
  return { leadAt, aheadAt, aheadMs: Math.max(0, aheadAt - nowMs) };
}
