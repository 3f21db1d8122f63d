/**
 * The request deadline, computed once and passed down: every stage checks it and the bidder answers 204
 * rather than late. Two clocks bound it:
 *   - the exchange's: tmax (minus the channel's network margin) from when the request reached us, which
 *     under load is earlier than when we read it (`arrivedAtMs`, see http/server.ts);
 *   - our own processing budget (`maxProcessingMs`) from when the body was complete.
 *   deadline = min(arrivedAt + tmax − margin, receivedAt + maxProcessing)
 */
export interface DeadlineLimits {
  readonly defaultTmaxMs: number;
  readonly maxProcessingMs: number;
}

export interface RequestTimes {
  readonly arrivedAtMs: number;
  readonly receivedAtMs: number;
}

export function computeDeadline(
  times: RequestTimes,
  tmax: number | undefined,
  marginMs: number,
  limits: DeadlineLimits,
): number {
  const exchange =
    times.arrivedAtMs + Math.max(0, (tmax !== undefined && tmax > 0 ? tmax : limits.defaultTmaxMs) - marginMs);
  return Math.min(exchange, times.receivedAtMs + limits.maxProcessingMs);
}
