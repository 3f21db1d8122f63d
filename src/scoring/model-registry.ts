/**
 * The models directory, loaded and hot-reloaded. Each `*.json` file is one model version (`name@version`);
 * the live model of a name is its highest valid version, and an experiment arm may pin another
 * (`pctr@2`). A file that fails validation is refused with a `ModelFileError` and whatever that file (or
 * that name) served before stays live; a file that disappears takes its model with it.
 *
 * Every change produces a new immutable `ModelTable` with a higher `gen`; listeners (the worker pool) get it
 * and workers swap on their next task, so no task is dropped or sees half a model set.
 *
 * The directory is watched as a directory (`files/dir-watcher.ts`: atomic saves, new and deleted files,
 * symlink flips) and read as hostile input (`files/safe-read.ts`): only regular `*.json` files within
 * `maxFileBytes` are read; a FIFO or a symlink loop is refused, never opened or fatal.
 */
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DirWatcher } from '../files/dir-watcher.js';
import { readRegularFile } from '../files/safe-read.js';
import type { CompiledModel, ModelTable, ModelTarget } from './model.js';
import { kEmptyTable } from './model.js';
import { ModelFileError, parseModelFile } from './model-file.js';

export interface RegistryOptions {
  readonly dir: string;
  /** Model names that are live by default per target (an arm or a campaign may name others). */
  readonly names?: { readonly ctr: string; readonly cvr: string };
  /** Largest model file read (default 128 MiB: a dense 2^24-weight model in base64 is ~90 MB). */
  readonly maxFileBytes?: number;
}

export interface WatchOptions {
  readonly debounceMs?: number;
  /** Listing poll period, a safety net for lost events; 0 disables it (default 5 s). */
  readonly pollMs?: number;
  /** A watch failure (re-established by the next event or poll); never fatal. */
  readonly onError?: (err: Error, dir: string) => void;
}

export interface ReloadReport {
  readonly gen: number;
  readonly loaded: readonly string[];
  readonly removed: readonly string[];
  readonly refused: readonly ModelFileError[];
}

interface FileState {
  /** Inode too: a file renamed over another keeps its own mtime, which may equal the old one's. */
  ino: number;
  mtimeMs: number;
  size: number;
  model: CompiledModel | null;
}

export class ModelRegistry {
  readonly dir: string;
  readonly names: { readonly ctr: string; readonly cvr: string };
  readonly #files = new Map<string, FileState>();
  readonly #byKey = new Map<string, CompiledModel>();
  readonly #latest = new Map<string, CompiledModel>();
  readonly #listeners: ((t: ModelTable) => void)[] = [];
  #table: ModelTable = kEmptyTable;
  #nextId = 0;
  readonly #maxFileBytes: number;
  #watcher: DirWatcher | undefined;
  #reloading: Promise<ReloadReport> | undefined;

  constructor(opts: RegistryOptions) {
    this.dir = opts.dir;
    this.names = opts.names ?? { ctr: 'pctr', cvr: 'pcvr' };
    this.#maxFileBytes = opts.maxFileBytes ?? 128 << 20;
  }

  get table(): ModelTable {
    return this.#table;
  }

  /** `name` (its highest live version) or `name@version`. */
  resolve(ref: string): CompiledModel | undefined {
    return ref.includes('@') ? this.#byKey.get(ref) : this.#latest.get(ref);
  }

  live(target: ModelTarget): CompiledModel | undefined {
    return this.#latest.get(this.names[target]);
  }

  onChange(fn: (t: ModelTable) => void): void {
    this.#listeners.push(fn);
  }

  /** Loads a model from text as if read from `file` (tests, tools); throws `ModelFileError`. */
  loadText(file: string, text: string): CompiledModel {
    const state = this.#files.get(file);
    const model = this.#compile(file, text);
    this.#install(file, { ino: -1, mtimeMs: -1, size: -1, model }, state?.model ?? null);
    this.#publish();
    return model;
  }

  /** Re-reads the directory; only changed files are parsed. Serialised: concurrent calls share one pass. */
  reload(): Promise<ReloadReport> {
    if (this.#reloading === undefined) {
      this.#reloading = this.#reload().finally(() => {
        this.#reloading = undefined;
      });
    }
    return this.#reloading;
  }

  /** Watches the directory and reloads after each burst of changes; reports each pass to `onReport`. */
  async watch(onReport: (r: ReloadReport | Error) => void, opts: WatchOptions = {}): Promise<void> {
    if (this.#watcher !== undefined) return;
    this.#watcher = new DirWatcher({
      dirs: [this.dir],
      relevant: (n) => n.endsWith('.json') || n.startsWith('..'),
      ...(opts.debounceMs === undefined ? {} : { debounceMs: opts.debounceMs }),
      ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
      onChange: () => void this.reload().then(onReport, onReport),
      ...(opts.onError === undefined ? {} : { onError: opts.onError }),
    });
    await this.#watcher.start();
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  async #reload(): Promise<ReloadReport> {
    const loaded: string[] = [];
    const removed: string[] = [];
    const refused: ModelFileError[] = [];
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort();
    const present = new Set<string>();
    let changed = false;
    for (const name of names) {
      const file = join(this.dir, name);
      present.add(file);
      let st: Stats;
      try {
        st = await stat(file);
      } catch (e) {
        // Vanished between readdir and stat: the next pass removes it. Anything else (a symlink loop) is said.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
          refused.push(new ModelFileError(file, '', `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`));
        continue;
      }
      const prev = this.#files.get(file);
      if (prev !== undefined && prev.ino === st.ino && prev.mtimeMs === st.mtimeMs && prev.size === st.size) continue;
      try {
        const read = await readRegularFile(file, this.#maxFileBytes);
        if (!read.ok) throw new ModelFileError(file, '', read.reason);
        const model = this.#compile(file, read.text);
        this.#install(file, { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, model }, prev?.model ?? null);
        loaded.push(model.key);
        changed = true;
      } catch (e) {
        refused.push(e instanceof ModelFileError ? e : new ModelFileError(file, '', (e as Error).message));
        // Remember the bad version so it is reported once, and keep serving what this file served before.
        this.#files.set(file, { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, model: prev?.model ?? null });
      }
    }
    for (const [file, state] of this.#files) {
      if (present.has(file) || state.mtimeMs === -1) continue;
      this.#files.delete(file);
      if (state.model !== null) {
        this.#byKey.delete(state.model.key);
        removed.push(state.model.key);
        changed = true;
      }
    }
    if (changed) this.#publish();
    return { gen: this.#table.gen, loaded, removed, refused };
  }

  #compile(file: string, text: string): CompiledModel {
    const model = parseModelFile(file, text, this.#nextId);
    const other = this.#byKey.get(model.key);
    if (other !== undefined && other.file !== file)
      throw new ModelFileError(file, 'version', `${model.key} is already loaded from ${other.file}`);
    this.#nextId++;
    return model;
  }

  #install(file: string, state: FileState, previous: CompiledModel | null): void {
    if (previous !== null) this.#byKey.delete(previous.key);
    this.#files.set(file, state);
    if (state.model !== null) this.#byKey.set(state.model.key, state.model);
  }

  #publish(): void {
    this.#latest.clear();
    for (const m of this.#byKey.values()) {
      const cur = this.#latest.get(m.name);
      if (cur === undefined || m.version > cur.version) this.#latest.set(m.name, m);
    }
    const byId: (CompiledModel | null)[] = new Array<CompiledModel | null>(this.#nextId).fill(null);
    for (const m of this.#byKey.values()) byId[m.id] = m;
    this.#table = Object.freeze({ gen: this.#table.gen + 1, byId: Object.freeze(byId) });
    for (const fn of this.#listeners) fn(this.#table);
  }
}
