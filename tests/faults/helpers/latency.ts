/** Latency figures of the fault suite's load. */

/** Percentiles of a sample (nearest rank), ms. */
export function percentiles(xs: readonly number[]): { n: number; p50: number; p99: number; p999: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(at(0.5)), p99: r(at(0.99)), p999: r(at(0.999)), max: r(s.at(-1) ?? 0) };
}
