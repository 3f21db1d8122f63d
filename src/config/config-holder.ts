/**
 * Holds the current config snapshot and replaces it atomically on reload (file watch or the admin API).
 * An invalid config is refused with its issues and the bidder keeps the snapshot it has.
 *
 * Reloads never lie: every attempt ends in one outcome (`ok`, `unchanged`, `invalid`, `error`) that every
 * listener hears, so it is logged and counted; a reload asked for while one runs is queued (the running one
 * may have read the files before the change), never merged into it. Loading runs off the event loop
 * (`off-thread.ts`) within the size limits of `load.ts`. The directory and `campaigns/` are watched as
 * directories (`files/dir-watcher.ts`), so atomic saves, new, deleted and re-created files and a
 * Kubernetes ConfigMap's symlink flip all reload.
 */
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { DirWatcher } from '../files/dir-watcher.js';
import { type ConfigIssue, formatIssues, kDefaultLoadLimits, type LoadLimits, loadConfigDir } from './load.js';
import { ConfigLoadError, LoaderThread } from './off-thread.js';
import { buildSnapshot, type ConfigSnapshot, configHash } from './snapshot.js';

interface ReloadBase {
  /** What asked for it: `admin`, `watch: <dir>: <name>`, `poll: …`. */
  readonly trigger: string;
  readonly durationMs: number;
  /** Files skipped (FIFOs, sockets, devices): not fatal, but said. */
  readonly warnings: readonly string[];
}

export type ReloadResult =
  | (ReloadBase & {
      readonly ok: true;
      readonly outcome: 'ok' | 'unchanged';
      readonly snapshot: ConfigSnapshot;
      readonly changed: boolean;
    })
  | (ReloadBase & {
      readonly ok: false;
      readonly outcome: 'invalid' | 'error';
      /** Capped (`LoadLimits.maxIssues`, then one "… and N more" line); `totalIssues` counts them all. */
      readonly issues: readonly ConfigIssue[];
      readonly totalIssues: number;
    });

export interface ConfigListener {
  onReload(result: ReloadResult): void;
  /** A directory watch failed (it is re-established by the next event or poll); never fatal. */
  onWatchError?(err: Error, dir: string): void;
}

export interface ConfigHolderOptions {
  readonly limits?: Partial<LoadLimits>;
  /** Reload in a worker thread (default true); false reloads on the calling thread. The first load is always here. */
  readonly offThread?: boolean;
  /** A load that takes longer is abandoned as an `error` (default 30 s). */
  readonly timeoutMs?: number;
  readonly watch?: { readonly debounceMs?: number; readonly pollMs?: number };
}

export class ConfigHolder {
  #current: ConfigSnapshot;
  readonly #clock: Clock;
  readonly #env: NodeJS.ProcessEnv;
  readonly #opts: ConfigHolderOptions;
  readonly #limits: LoadLimits;
  readonly #listeners: ConfigListener[] = [];
  #watcher: DirWatcher | undefined;
  #running: Promise<ReloadResult> | undefined;
  #queued: Promise<ReloadResult> | undefined;
  readonly #thread: LoaderThread | undefined;
  #closed = false;
  #loadWarnings: readonly string[];

  private constructor(
    initial: ConfigSnapshot,
    clock: Clock,
    env: NodeJS.ProcessEnv,
    opts: ConfigHolderOptions,
    limits: LoadLimits,
    warnings: readonly string[],
  ) {
    this.#loadWarnings = warnings;
    this.#current = initial;
    this.#clock = clock;
    this.#env = env;
    this.#opts = opts;
    this.#limits = limits;
    this.#thread =
      opts.offThread === false
        ? undefined
        : new LoaderThread(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
  }

  /** Loads the directory once; throws with its issues listed when the initial config is invalid. */
  static async open(
    dir: string,
    clock: Clock,
    env: NodeJS.ProcessEnv = process.env,
    opts: ConfigHolderOptions = {},
  ): Promise<ConfigHolder> {
    const limits = { ...kDefaultLoadLimits, ...limitsFromEnv(env), ...opts.limits };
    // On the calling thread: nothing is served yet, and a worker's start-up would only add to the start.
    const r = await loadConfigDir(dir, limits);
    if (!r.ok) throw new InvalidConfigError(r.issues);
    return new ConfigHolder(buildSnapshot(r.config, 1, clock.now(), env), clock, env, opts, limits, r.warnings);
  }

  get current(): ConfigSnapshot {
    return this.#current;
  }

  /** What the last load skipped (FIFOs, sockets, devices under a config name). */
  get loadWarnings(): readonly string[] {
    return this.#loadWarnings;
  }

  get limits(): LoadLimits {
    return this.#limits;
  }

  subscribe(listener: ConfigListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Re-reads the directory. Calls during a reload share one follow-up reload that starts when it ends, so
   * every caller's answer reflects the files as they were when it asked (or later).
   */
  reload(trigger = 'admin'): Promise<ReloadResult> {
    if (this.#running === undefined) {
      this.#running = this.#doReload(trigger).finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#queued ??= this.#running.then(() => {
      this.#queued = undefined;
      return this.reload(trigger);
    });
    return this.#queued;
  }

  async #doReload(trigger: string): Promise<ReloadResult> {
    const started = performance.now();
    const prev = this.#current;
    let result: ReloadResult;
    try {
      if (this.#closed) throw new ConfigLoadError('config holder is closed');
      const r = await (this.#thread?.load(prev.dir, this.#limits) ?? loadConfigDir(prev.dir, this.#limits));
      this.#loadWarnings = r.warnings;
      const base = { trigger, durationMs: performance.now() - started, warnings: r.warnings };
      if (!r.ok) {
        result = { ...base, ok: false, outcome: 'invalid', issues: r.issues, totalIssues: r.totalIssues };
      } else if (configHash(r.config.texts) === prev.hash) {
        // Same files: skip building (compiling campaigns and the index costs the event loop at scale).
        result = { ...base, ok: true, outcome: 'unchanged', snapshot: prev, changed: false };
      } else {
        const next = buildSnapshot(r.config, prev.version + 1, this.#clock.now(), this.#env, prev);
        this.#current = next;
        result = {
          ...base,
          durationMs: performance.now() - started,
          ok: true,
          outcome: 'ok',
          snapshot: next,
          changed: true,
        };
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      result = {
        trigger,
        durationMs: performance.now() - started,
        warnings: [],
        ok: false,
        outcome: 'error',
        issues: [{ file: '', path: '', message }],
        totalIssues: 1,
      };
    }
    for (const l of this.#listeners) {
      try {
        l.onReload(result);
      } catch {
        // one listener's failure must not hide the outcome from the others
      }
    }
    return result;
  }

  /** Watches the directory and `campaigns/` and reloads after each burst of relevant changes. */
  async watch(): Promise<void> {
    if (this.#watcher !== undefined || this.#closed) return;
    const dir = this.#current.dir;
    this.#watcher = new DirWatcher({
      dirs: [dir, join(dir, 'campaigns')],
      // Config files, the campaigns directory itself, and Kubernetes' `..data` / `..<timestamp>` entries;
      // editor swap and backup files are not config.
      relevant: (n) => n.endsWith('.yaml') || n.endsWith('.yml') || n === 'campaigns' || n.startsWith('..'),
      ...(this.#opts.watch?.debounceMs === undefined ? {} : { debounceMs: this.#opts.watch.debounceMs }),
      ...(this.#opts.watch?.pollMs === undefined ? {} : { pollMs: this.#opts.watch.pollMs }),
      onChange: (why) => void this.reload(`watch: ${why}`),
      onError: (err, d) => {
        for (const l of this.#listeners) l.onWatchError?.(err, d);
      },
    });
    await this.#watcher.start();
  }

  /** Stops watching and abandons a running load (its reload ends as `error`); later reloads fail. */
  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#thread?.close();
  }
}

/** `CONFIG_MAX_FILE_BYTES`, `CONFIG_MAX_TOTAL_BYTES`: positive integers (bytes) when set. */
function limitsFromEnv(env: NodeJS.ProcessEnv): Partial<LoadLimits> {
  const out: { maxFileBytes?: number; maxTotalBytes?: number } = {};
  for (const [name, key] of [
    ['CONFIG_MAX_FILE_BYTES', 'maxFileBytes'],
    ['CONFIG_MAX_TOTAL_BYTES', 'maxTotalBytes'],
  ] as const) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive number of bytes, got ${v}`);
    out[key] = n;
  }
  return out;
}

export class InvalidConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(`invalid config:\n${formatIssues(issues).replace(/^/gm, '  ')}`);
    this.name = 'InvalidConfigError';
    this.issues = issues;
  }
}
