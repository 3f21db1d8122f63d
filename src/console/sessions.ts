/**
 * Console sessions and sign-in throttling. A buyer signs in with the admin or the read-only token once; the
 * console then works from an opaque session id in an `HttpOnly` cookie, so the token never sits in the
 * browser's storage. Each session carries its own CSRF token, which the page sends back in a header on every
 * write (a cross-site form cannot read it). Sessions end after a while idle and after a maximum age.
 *
 * Sessions live in this instance's memory: a load balancer in front of several ops ports needs sticky
 * sessions, and a restart signs everyone out (the tokens stay valid, so signing in again is cheap).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';

export type Role = 'admin' | 'read';

export interface Session {
  readonly id: string;
  readonly role: Role;
  /** Who signed in, as they told us (for the audit log); the role when they did not. */
  readonly who: string;
  readonly csrf: string;
  readonly createdAtMs: number;
  lastSeenMs: number;
}

export interface SessionOptions {
  readonly idleMs: number;
  readonly maxMs: number;
  /** Sessions kept at most (the oldest go first): memory stays bounded whatever a client does. */
  readonly maxSessions?: number;
}

export class SessionStore {
  readonly #clock: Clock;
  readonly #opts: Required<SessionOptions>;
  readonly #sessions = new Map<string, Session>();

  constructor(clock: Clock, opts: SessionOptions) {
    this.#clock = clock;
    this.#opts = { maxSessions: 10_000, ...opts };
  }

  create(role: Role, who: string): Session {
    const now = this.#clock.now();
    this.#sweep(now);
    while (this.#sessions.size >= this.#opts.maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const s: Session = {
      id: randomBytes(32).toString('base64url'),
      role,
      who,
      csrf: randomBytes(24).toString('base64url'),
      createdAtMs: now,
      lastSeenMs: now,
    };
    this.#sessions.set(s.id, s);
    return s;
  }

  /** The live session with this id (its idle timer restarts), or undefined when unknown or expired. */
  get(id: string): Session | undefined {
    if (id === '') return undefined;
    const s = this.#sessions.get(id);
    if (s === undefined) return undefined;
    const now = this.#clock.now();
    if (this.#expired(s, now)) {
      this.#sessions.delete(id);
      return undefined;
    }
    s.lastSeenMs = now;
    return s;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  /** Seconds the cookie should live: the session's remaining maximum age. */
  maxAgeSeconds(s: Session): number {
    return Math.max(0, Math.floor((s.createdAtMs + this.#opts.maxMs - this.#clock.now()) / 1000));
  }

  get size(): number {
    return this.#sessions.size;
  }

  #expired(s: Session, now: number): boolean {
    return now - s.lastSeenMs >= this.#opts.idleMs || now - s.createdAtMs >= this.#opts.maxMs;
  }

  #sweep(now: number): void {
    for (const [id, s] of this.#sessions) if (this.#expired(s, now)) this.#sessions.delete(id);
  }
}

/** Constant-time string comparison (different lengths compare unequal without a timing hint of where). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface ThrottleOptions {
  /** Wait after the first failure; it doubles with every further one up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A remote address's failures are forgotten after this long without another. */
  readonly forgetMs: number;
  readonly maxEntries?: number;
}

/**
 * Failed sign-ins per remote address: after `n` failures the address must wait `base × 2^(n−1)` (capped)
 * before its next attempt is even checked. Guessing a 32-byte token was never feasible; this keeps a
 * weak configured token from being guessed too, and keeps log noise down.
 */
export class SignInThrottle {
  readonly #clock: Clock;
  readonly #opts: Required<ThrottleOptions>;
  readonly #byRemote = new Map<string, { failures: number; lastMs: number; retryAtMs: number }>();

  constructor(clock: Clock, opts: ThrottleOptions) {
    this.#clock = clock;
    this.#opts = { maxEntries: 10_000, ...opts };
  }

  /** Milliseconds the address must still wait before trying again (0: it may try now). */
  waitMs(remote: string): number {
    const e = this.#byRemote.get(remote);
    if (e === undefined) return 0;
    const now = this.#clock.now();
    if (now - e.lastMs >= this.#opts.forgetMs) {
      this.#byRemote.delete(remote);
      return 0;
    }
    return Math.max(0, e.retryAtMs - now);
  }

  failed(remote: string): void {
    const now = this.#clock.now();
    let e = this.#byRemote.get(remote);
    if (e === undefined || now - e.lastMs >= this.#opts.forgetMs) {
      if (this.#byRemote.size >= this.#opts.maxEntries) {
        const oldest = this.#byRemote.keys().next().value;
        if (oldest !== undefined) this.#byRemote.delete(oldest);
      }
      e = { failures: 0, lastMs: now, retryAtMs: now };
      this.#byRemote.set(remote, e);
    }
    e.failures++;
    e.lastMs = now;
    e.retryAtMs = now + Math.min(this.#opts.maxDelayMs, this.#opts.baseDelayMs * 2 ** (e.failures - 1));
  }

  succeeded(remote: string): void {
    this.#byRemote.delete(remote);
  }
}
