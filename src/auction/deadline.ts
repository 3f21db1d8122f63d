/**
 * The request deadline, computed once from when the request arrived (its headers) and passed down: every stage checks it
 * and the bidder answers 204 rather than late.
 *   deadline = arrivedAt + min(tmax − network margin, maxProcessing)
 */
export interface DeadlineLimits {
  readonly defaultTmaxMs: number;
  readonly maxProcessingMs: number;
}

export function computeDeadline(
  arrivedAtMs: number,
  tmax: number | undefined,
  marginMs: number,
  limits: DeadlineLimits,
): number {
  const budget = Math.min(
    (tmax !== undefined && tmax > 0 ? tmax : limits.defaultTmaxMs) - marginMs,
    limits.maxProcessingMs,
  );
  return arrivedAtMs + Math.max(0, budget);
}
