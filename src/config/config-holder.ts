/**
 * Holds the current config snapshot and replaces it atomically on reload (file watch or the admin API).
 * An invalid config is refused with every issue and the bidder keeps the snapshot it has.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Clock } from '../clock.js';
import { loadConfigDir, type ConfigIssue } from './load.js';
import { buildSnapshot, type ConfigSnapshot } from './snapshot.js';

export type ReloadResult =
  | { readonly ok: true; readonly snapshot: ConfigSnapshot; readonly changed: boolean }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

export interface ConfigListener {
  onReload(result: ReloadResult): void;
}

export class ConfigHolder {
  #current: ConfigSnapshot;
  readonly #clock: Clock;
  readonly #env: NodeJS.ProcessEnv;
  readonly #listeners: ConfigListener[] = [];
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #reloading: Promise<ReloadResult> | undefined;

  private constructor(initial: ConfigSnapshot, clock: Clock, env: NodeJS.ProcessEnv) {
    this.#current = initial;
    this.#clock = clock;
    this.#env = env;
  }

  /** Loads the directory once; throws with every issue listed when the initial config is invalid. */
  static async open(dir: string, clock: Clock, env: NodeJS.ProcessEnv = process.env): Promise<ConfigHolder> {
    const r = await loadConfigDir(dir);
    if (!r.ok) throw new InvalidConfigError(r.issues);
    return new ConfigHolder(buildSnapshot(r.config, 1, clock.now(), env), clock, env);
  }

  get current(): ConfigSnapshot {
    return this.#current;
  }

  subscribe(listener: ConfigListener): void {
    this.#listeners.push(listener);
  }

  /** Re-reads the directory; concurrent calls share one reload. */
  reload(): Promise<ReloadResult> {
    this.#reloading ??= this.#doReload().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #doReload(): Promise<ReloadResult> {
    const prev = this.#current;
    const r = await loadConfigDir(prev.dir);
    let result: ReloadResult;
    if (!r.ok) {
      result = { ok: false, issues: r.issues };
    } else {
      const next = buildSnapshot(r.config, prev.version + 1, this.#clock.now(), this.#env, prev);
      const changed = next.hash !== prev.hash;
      if (changed) this.#current = next;
      result = { ok: true, snapshot: changed ? next : prev, changed };
    }
    for (const l of this.#listeners) l.onReload(result);
    return result;
  }

  /** Watches the directory (recursive) and reloads 200 ms after the last change. */
  watch(): void {
    if (this.#watcher !== undefined) return;
    try {
      this.#watcher = watch(this.#current.dir, { recursive: true }, () => {
        if (this.#debounce !== undefined) clearTimeout(this.#debounce);
        this.#debounce = setTimeout(() => void this.reload(), 200);
        this.#debounce.unref();
      });
      this.#watcher.unref();
    } catch {
      // Recursive watch is unsupported on some file systems; the admin reload endpoint still works.
    }
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#debounce !== undefined) clearTimeout(this.#debounce);
  }
}

export class InvalidConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(
      `invalid config:\n${issues.map((i) => `  ${i.file}${i.path === '' ? '' : ` ${i.path}`}: ${i.message}`).join('\n')}`,
    );
    this.name = 'InvalidConfigError';
    this.issues = issues;
  }
}
