/**
 * A buyer with the console open, for the load benchmark: signs in to the console on the ops port with the
 * admin token, then, while started, fetches the overview and one campaign page after another every
 * `intervalMs` (what the browser pages do, a little faster), so a run can compare the bid path with and
 * without a console being polled.
 */

export interface PollStats {
  polls: number;
  errors: number;
  /** Slowest page answer seen, ms. */
  maxMs: number;
}

export class ConsolePoller {
  readonly stats: PollStats = { polls: 0, errors: 0, maxMs: 0 };
  readonly #opsUrl: string;
  readonly #token: string;
  readonly #intervalMs: number;
  #cookie = '';
  #campaigns: string[] = [];
  #next = 0;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(opsUrl: string, token: string, intervalMs: number) {
    this.#opsUrl = opsUrl;
    this.#token = token;
    this.#intervalMs = intervalMs;
  }

  async signIn(): Promise<void> {
    const res = await fetch(`${this.#opsUrl}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: this.#token, name: 'bench' }),
    });
    if (res.status !== 200) throw new Error(`console sign-in answered ${res.status}: ${await res.text()}`);
    this.#cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const overview = (await this.#get('/console/api/overview')) as { campaigns?: { id: string }[] } | undefined;
    this.#campaigns = (overview?.campaigns ?? []).map((c) => c.id);
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#poll(), this.#intervalMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.#get('/console/api/overview');
      if (this.#campaigns.length > 0)
        await this.#get(`/console/api/campaigns/${this.#campaigns[this.#next++ % this.#campaigns.length]}`);
    } finally {
      this.#busy = false;
    }
  }

  async #get(path: string): Promise<unknown> {
    const t0 = performance.now();
    try {
      const res = await fetch(`${this.#opsUrl}${path}`, { headers: { cookie: this.#cookie } });
      const body: unknown = await res.json();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      return body;
    } catch {
      this.stats.errors++;
      return undefined;
    } finally {
      this.stats.polls++;
      this.stats.maxMs = Math.max(this.stats.maxMs, Math.round(performance.now() - t0));
    }
  }
}
