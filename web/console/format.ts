/** Number and time formatting for the console's tables. */

export function money(v: number | null | undefined, currency: string): string {
  if (v === null || v === undefined) return '—';
  return `${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: Math.abs(v) < 1 && v !== 0 ? 4 : 2 })} ${currency}`;
}

export function ratio(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined ? '—' : v.toFixed(digits);
}

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
}

export function time(ms: number | undefined): string {
  return ms === undefined ? '—' : new Date(ms).toISOString().slice(11, 19);
}
