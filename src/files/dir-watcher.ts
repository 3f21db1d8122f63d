/**
 * Watches directories — never files — and says "something relevant changed" once per burst. Watching a
 * file watches its inode: after an atomic save (write a temp file, rename it over the old name: `sed -i`,
 * vim, most editors, `kubectl` ConfigMap updates) the watch still points at the unlinked old inode and every
 * later edit is missed. A directory watch sees creations, renames, deletions and writes of its entries.
 *
 * Each directory is watched non-recursively. The watched set is re-resolved on every event burst and every
 * poll: a directory that was replaced (a Kubernetes `..data` symlink flip swaps the directory a `campaigns`
 * symlink points into), deleted, created late, or whose watch failed, is re-watched. A slow poll compares a
 * listing signature (names, inodes, sizes, mtimes) as a safety net for file systems whose events do not
 * arrive (NFS, some container mounts). Watcher errors (ELOOP, ENOSPC from the inotify limit, EACCES) are
 * reported through `onError` and never thrown: a broken watch costs freshness, not the process.
 */
import { type FSWatcher, watch } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface DirWatcherOptions {
  /** Directories to watch (each non-recursively); missing ones are watched once they appear. */
  readonly dirs: readonly string[];
  /** Entry names that matter (others — editor swap files, temp files — are ignored). Default: all. */
  readonly relevant?: (name: string) => boolean;
  /** Quiet time after the last event before `onChange` (default 200 ms). */
  readonly debounceMs?: number;
  /** A burst of events longer than this still fires (default 2 s), so a chatty writer cannot starve reloads. */
  readonly maxWaitMs?: number;
  /** Listing poll period; 0 disables it (default 5 s). */
  readonly pollMs?: number;
  readonly onChange: (why: string) => void;
  readonly onError?: (err: Error, dir: string) => void;
}

interface Watched {
  readonly dir: string;
  watcher: FSWatcher | undefined;
  /** `dev:ino` of the directory the watch is on (after following symlinks). */
  identity: string | undefined;
}

export class DirWatcher {
  readonly #opts: DirWatcherOptions;
  readonly #relevant: (name: string) => boolean;
  readonly #watched: Watched[];
  #debounce: NodeJS.Timeout | undefined;
  #firstEventAt = 0;
  #why = '';
  #poll: NodeJS.Timeout | undefined;
  #signature: string | undefined;
  #closed = false;
  #resyncing: Promise<void> | undefined;

  constructor(opts: DirWatcherOptions) {
    this.#opts = opts;
    this.#relevant = opts.relevant ?? (() => true);
    this.#watched = opts.dirs.map((dir) => ({ dir, watcher: undefined, identity: undefined }));
  }

  /** Sets up the watches (and the poll); resolves once they are in place, so a test can then write. */
  async start(): Promise<void> {
    await this.#resync();
    this.#signature = await this.#listing();
    const pollMs = this.#opts.pollMs ?? 5_000;
    if (pollMs > 0 && !this.#closed) {
      this.#poll = setInterval(() => void this.#pollOnce(), pollMs);
      this.#poll.unref();
    }
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#watched) this.#unwatch(w);
    if (this.#debounce !== undefined) clearTimeout(this.#debounce);
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#debounce = undefined;
    this.#poll = undefined;
  }

  /** Directories with a live watch (for tests and diagnostics). */
  get watching(): readonly string[] {
    return this.#watched.filter((w) => w.watcher !== undefined).map((w) => w.dir);
  }

  #event(why: string): void {
    if (this.#closed) return;
    const now = Date.now();
    if (this.#debounce === undefined) {
      this.#firstEventAt = now;
      this.#why = why;
    } else clearTimeout(this.#debounce);
    const debounceMs = this.#opts.debounceMs ?? 200;
    const left = this.#firstEventAt + (this.#opts.maxWaitMs ?? 2_000) - now;
    this.#debounce = setTimeout(() => void this.#fire(), Math.max(0, Math.min(debounceMs, left)));
    this.#debounce.unref();
  }

  async #fire(): Promise<void> {
    this.#debounce = undefined;
    // Re-resolve first: the burst may have replaced a watched directory, and the reload that follows must
    // not race a change made in the new directory before its watch existed (the reload reads after this).
    await this.#resync();
    this.#signature = await this.#listing();
    if (!this.#closed) this.#opts.onChange(this.#why);
  }

  async #pollOnce(): Promise<void> {
    if (this.#closed || this.#debounce !== undefined) return;
    await this.#resync();
    const sig = await this.#listing();
    if (this.#closed || sig === this.#signature) return;
    this.#signature = sig;
    this.#event('poll: directory listing changed');
  }

  #resync(): Promise<void> {
    // One at a time: an event burst and a poll tick must not both (re)open watches for the same directory.
    this.#resyncing ??= (async () => {
      for (const w of this.#watched) await this.#resyncOne(w);
    })().finally(() => {
      this.#resyncing = undefined;
    });
    return this.#resyncing;
  }

  async #resyncOne(w: Watched): Promise<void> {
    let identity: string | undefined;
    try {
      const st = await stat(w.dir);
      identity = st.isDirectory() ? `${st.dev}:${st.ino}` : undefined;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.#error(e, w.dir);
    }
    if (this.#closed) return;
    if (identity === w.identity && w.watcher !== undefined) return;
    this.#unwatch(w);
    if (identity === undefined) return;
    try {
      const watcher = watch(w.dir, { persistent: false }, (_type, name) => {
        // `name` can be null on some platforms: then we cannot tell, so it counts.
        const n = typeof name === 'string' ? name : null;
        if (n === null || this.#relevant(n)) this.#event(`${w.dir}: ${n ?? '?'}`);
      });
      watcher.on('error', (err) => {
        this.#error(err, w.dir);
        // The watch is dead; the next poll or event re-creates it, and a change may have been missed.
        if (w.watcher === watcher) this.#unwatch(w);
        this.#event(`${w.dir}: watch error`);
      });
      w.watcher = watcher;
      w.identity = identity;
    } catch (e) {
      this.#error(e, w.dir);
    }
  }

  #unwatch(w: Watched): void {
    try {
      w.watcher?.close();
    } catch {
      // closing a watch whose directory is gone may throw on some platforms; it is gone either way
    }
    w.watcher = undefined;
    w.identity = undefined;
  }

  #error(e: unknown, dir: string): void {
    const err = e instanceof Error ? e : new Error(String(e));
    try {
      this.#opts.onError?.(err, dir);
    } catch {
      // a failing error reporter must not break the watch
    }
  }

  /** Names, kinds, inodes, sizes and mtimes of the relevant entries (symlinks followed, lstat if broken). */
  async #listing(): Promise<string> {
    const parts: string[] = [];
    for (const w of this.#watched) {
      let names: string[];
      try {
        names = (await readdir(w.dir)).filter(this.#relevant).sort();
      } catch (e) {
        parts.push(`${w.dir}!${(e as NodeJS.ErrnoException).code ?? 'error'}`);
        continue;
      }
      // Bounded: a directory stuffed with entries must not turn the poll into a flood of stats.
      for (const n of names.slice(0, 10_000)) {
        const p = join(w.dir, n);
        const st = await stat(p).catch(() => lstat(p).catch(() => undefined));
        parts.push(st === undefined ? `${p}?` : `${p}:${st.ino}:${st.size}:${st.mtimeMs}:${st.mode}`);
      }
    }
    return parts.join('\n');
  }
}
