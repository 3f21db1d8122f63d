/**
 * Local time per campaign time zone, cached per hour. Intl formatting costs microseconds, so it runs once
 * per time zone per hour boundary, and the bid path reads a plain number (`hourOfWeek`) or string (`day`).
 * Offsets change only on hour boundaries in every real zone, so an hourly refresh is exact.
 */

export interface LocalTime {
  /** 0 = Monday 00:00 … 167 = Sunday 23:00. */
  readonly hourOfWeek: number;
  /** `YYYY-MM-DD` in the zone: the budget day. */
  readonly day: string;
  /** Fraction of the local day elapsed, 0..1 (for pacing curves); computed from `now`, not cached. */
  readonly dayStartMs: number;
  readonly dayEndMs: number;
  readonly validUntilMs: number;
}

const kWeekday: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const kHourMs = 3_600_000;

export class TimeZoneTable {
  readonly #formatters = new Map<string, Intl.DateTimeFormat>();
  readonly #cache = new Map<string, LocalTime>();

  at(zone: string, nowMs: number): LocalTime {
    const hit = this.#cache.get(zone);
    if (hit !== undefined && nowMs < hit.validUntilMs && nowMs >= hit.validUntilMs - kHourMs) return hit;
    const fresh = this.#compute(zone, nowMs);
    this.#cache.set(zone, fresh);
    return fresh;
  }

  #compute(zone: string, nowMs: number): LocalTime {
    let fmt = this.#formatters.get(zone);
    if (fmt === undefined) {
      fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        weekday: 'short',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
      this.#formatters.set(zone, fmt);
    }
    const parts: Record<string, string> = {};
    for (const p of fmt.formatToParts(nowMs)) parts[p.type] = p.value;
    const hour = Number(parts.hour);
    const minute = Number(parts.minute);
    const second = Number(parts.second);
    const msIntoHour = (minute * 60 + second) * 1000 + (Math.floor(nowMs) % 1000);
    const hourStart = nowMs - msIntoHour;
    const day = `${parts.year}-${parts.month}-${parts.day}`;
    // Day bounds: walk hour starts rather than assume 24 h, so DST days (23/25 h) are exact.
    const dayStartMs = this.#dayStart(fmt, hourStart - hour * kHourMs, day);
    const dayEndMs = this.#nextDayStart(fmt, dayStartMs, day);
    return {
      hourOfWeek: (kWeekday[parts.weekday ?? 'Mon'] ?? 0) * 24 + hour,
      day,
      dayStartMs,
      dayEndMs,
      validUntilMs: hourStart + kHourMs,
    };
  }

  /** The first hour start of `day`, near the naive guess (off by the DST shift on transition days). */
  #dayStart(fmt: Intl.DateTimeFormat, guess: number, day: string): number {
    for (let h = -2; h <= 2; h++) {
      const t = guess + h * kHourMs;
      const parts = fmt.formatToParts(t);
      if (`${part(parts, 'year')}-${part(parts, 'month')}-${part(parts, 'day')}` === day) return t;
    }
    return guess;
  }

  #nextDayStart(fmt: Intl.DateTimeFormat, dayStartMs: number, day: string): number {
    for (let h = 22; h <= 26; h++) {
      const t = dayStartMs + h * kHourMs;
      const parts = fmt.formatToParts(t);
      const d = `${part(parts, 'year')}-${part(parts, 'month')}-${part(parts, 'day')}`;
      if (d !== day && part(parts, 'hour') === '00') return t;
    }
    return dayStartMs + 24 * kHourMs;
  }
}

function part(parts: Intl.DateTimeFormatPart[], type: string): string | undefined {
  for (const p of parts) if (p.type === type) return p.value;
  return undefined;
}

/** Fraction of the local day elapsed at `nowMs`, clamped to 0..1. */
export function dayFraction(t: LocalTime, nowMs: number): number {
  const f = (nowMs - t.dayStartMs) / (t.dayEndMs - t.dayStartMs);
  return f < 0 ? 0 : Math.min(f, 1);
}
