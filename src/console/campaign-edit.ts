/**
 * Editing one campaign's file, for the console and the admin API alike. A change is a small patch (status,
 * budgets, channel split and floating share, bid, flight dates, frequency caps) applied to the file's YAML
 * document through the `yaml` Document API, so comments, key order and flow style survive. The patched
 * campaign is validated with the very schema the loader uses (plus the loader's unknown-channel check);
 * issues come back with the field path they belong to. A valid change is written atomically (temp file,
 * fsync, rename) only if the file still has the ETag the editor read, and recorded in the audit log. The
 * config holder's hot reload then picks it up (here at once, on other instances through their file watch).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { formatPath } from '../config/load.js';
import { campaignSchema } from '../config/schema.js';

export interface FieldIssue {
  /** Dotted field path in the campaign (`budget.daily`, `budget.channels.ssp-alpha`, `frequencyCaps[0].count`). */
  readonly path: string;
  readonly message: string;
}

const nullable = <T extends z.ZodType>(t: T) => t.nullable().optional();

/**
 * What may be changed. Values are checked for shape only here (numbers are numbers, dates are strings);
 * whether they make a valid campaign is the campaign schema's call, so there is one set of rules.
 */
export const campaignPatchSchema = z.strictObject({
  status: z.enum(['active', 'paused']).optional(),
  budget: z
    .strictObject({
      daily: z.unknown().optional(),
      /** `null` removes the total budget. */
      total: z.unknown().optional(),
      channels: z.record(z.string(), z.unknown()).optional(),
      floating: z.unknown().optional(),
    })
    .optional(),
  /** The whole bid strategy (`{ strategy: fixed_cpm, cpm: 2.5 }`, …). */
  bid: z.record(z.string(), z.unknown()).optional(),
  flight: z.strictObject({ start: nullable(z.unknown()), end: nullable(z.unknown()) }).optional(),
  frequencyCaps: z.array(z.unknown()).optional(),
});
export type CampaignPatch = z.infer<typeof campaignPatchSchema>;

export interface CampaignFile {
  readonly id: string;
  /** Path relative to the config directory. */
  readonly file: string;
  readonly etag: string;
  readonly text: string;
  /** The campaign as written in the file (before defaults). */
  readonly raw: Record<string, unknown>;
}

export type EditResult =
  | { readonly ok: true; readonly file: CampaignFile; readonly diff: readonly DiffEntry[] }
  | { readonly ok: false; readonly status: 404 | 409 | 412 | 422; readonly message: string; issues?: FieldIssue[] };

export interface DiffEntry {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface AuditEntry {
  readonly at: string;
  readonly who: string;
  readonly via: 'console' | 'admin';
  readonly campaign: string;
  readonly file: string;
  readonly etagBefore: string;
  readonly etagAfter: string;
  readonly diff: readonly DiffEntry[];
}

function etagOf(text: string): string {
  return `"${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`;
}

export interface CampaignEditorOptions {
  readonly configDir: string;
  /** Channel ids the config knows (a split may only name these). */
  readonly channelIds: () => ReadonlySet<string>;
  /** Absolute path of the append-only audit log (JSONL). */
  readonly auditLog: string;
  readonly now: () => number;
}

export class CampaignEditor {
  readonly #opts: CampaignEditorOptions;
  /** Edits run one at a time in this process, so the ETag check and the rename cannot interleave. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: CampaignEditorOptions) {
    this.#opts = opts;
  }

  /** The file that holds campaign `id` on its own, or undefined. */
  async read(id: string): Promise<CampaignFile | undefined> {
    const dir = join(this.#opts.configDir, 'campaigns');
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
    } catch {
      return undefined;
    }
    // `<id>.yaml` first: the convention, and usually the only file to read.
    const preferred = names.filter((n) => n === `${id}.yaml` || n === `${id}.yml`);
    for (const name of [...preferred, ...names.filter((n) => !preferred.includes(n))]) {
      const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const doc = parseDocument(text);
      if (doc.errors.length > 0) continue;
      const raw: unknown = doc.toJS();
      if (isRecord(raw) && raw.id === id) return { id, file: `campaigns/${name}`, etag: etagOf(text), text, raw };
      if (isRecord(raw) && Array.isArray(raw.campaigns) && raw.campaigns.some((c) => isRecord(c) && c.id === id))
        return { id, file: `campaigns/${name}`, etag: '', text, raw: {} };
    }
    return undefined;
  }

  /** Applies a patch if the file still has `ifMatch` (undefined: no check), and logs it. */
  edit(
    id: string,
    patch: unknown,
    ifMatch: string | undefined,
    who: string,
    via: AuditEntry['via'],
  ): Promise<EditResult> {
    const run = this.#queue.then(() => this.#edit(id, patch, ifMatch, who, via));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #edit(
    id: string,
    patchIn: unknown,
    ifMatch: string | undefined,
    who: string,
    via: AuditEntry['via'],
  ): Promise<EditResult> {
    const shape = campaignPatchSchema.safeParse(patchIn);
    if (!shape.success)
      return {
        ok: false,
        status: 422,
        message: 'the change is not in the expected shape',
        issues: shape.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
      };
    const current = await this.read(id);
    if (current === undefined) return { ok: false, status: 404, message: `no campaign file for ${id}` };
    if (current.etag === '')
      return {
        ok: false,
        status: 409,
        message: `${id} is one of several campaigns in ${current.file}; edit that file by hand or give it its own file`,
      };
    if (ifMatch !== undefined && ifMatch !== current.etag)
      return {
        ok: false,
        status: 412,
        message: `${current.file} changed since it was loaded (someone else edited it); reload and apply your change again`,
      };
    const doc = parseDocument(current.text);
    applyPatch(doc, shape.data);
    const next: unknown = doc.toJS();
    const issues = this.validate(next);
    if (issues.length > 0) return { ok: false, status: 422, message: 'the campaign would be invalid', issues };
    const text = doc.toString({ lineWidth: 0 });
    const diff = diffValues(current.raw, next, '');
    if (diff.length === 0) return { ok: true, file: current, diff };
    // Another writer (a person in an editor, another instance) may have changed the file while we worked.
    const onDisk = await readFile(join(this.#opts.configDir, current.file), 'utf8');
    if (etagOf(onDisk) !== current.etag)
      return { ok: false, status: 412, message: `${current.file} changed while the edit was applied; reload` };
    await writeAtomically(join(this.#opts.configDir, current.file), text);
    const file: CampaignFile = { ...current, text, etag: etagOf(text), raw: next as Record<string, unknown> };
    await this.#audit({
      at: new Date(this.#opts.now()).toISOString(),
      who,
      via,
      campaign: id,
      file: current.file,
      etagBefore: current.etag,
      etagAfter: file.etag,
      diff,
    });
    return { ok: true, file, diff };
  }

  /** Every issue the loader would report for this campaign, by field path. */
  validate(raw: unknown): FieldIssue[] {
    const r = campaignSchema.safeParse(raw);
    const issues: FieldIssue[] = r.success
      ? []
      : r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    if (isRecord(raw) && isRecord(raw.budget) && isRecord(raw.budget.channels)) {
      const known = this.#opts.channelIds();
      for (const ch of Object.keys(raw.budget.channels))
        if (!known.has(ch)) issues.push({ path: `budget.channels.${ch}`, message: `unknown channel ${ch}` });
    }
    return issues;
  }

  /** The audit log's entries for one campaign (newest last), at most `limit`. */
  async history(id: string, limit = 50): Promise<AuditEntry[]> {
    const text = await readFile(this.#opts.auditLog, 'utf8').catch(() => '');
    const out: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const e = JSON.parse(line) as AuditEntry;
        if (e.campaign === id) out.push(e);
      } catch {
        // A torn last line (crash mid-append) is skipped, not fatal.
      }
    }
    return out.slice(-limit);
  }

  async #audit(entry: AuditEntry): Promise<void> {
    await mkdir(dirname(this.#opts.auditLog), { recursive: true });
    // O_APPEND: each entry is one write(2) of one line, so concurrent writers never interleave within a line.
    const fh = await open(this.#opts.auditLog, 'a', 0o640);
    try {
      await fh.write(`${JSON.stringify(entry)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

function applyPatch(doc: Document, p: CampaignPatch): void {
  if (p.status !== undefined) doc.setIn(['status'], p.status);
  const b = p.budget;
  if (b !== undefined) {
    if (b.daily !== undefined) doc.setIn(['budget', 'daily'], b.daily);
    if (b.total === null) {
      if (doc.hasIn(['budget', 'total'])) doc.deleteIn(['budget', 'total']);
    } else if (b.total !== undefined) doc.setIn(['budget', 'total'], b.total);
    if (b.floating !== undefined) doc.setIn(['budget', 'floating'], b.floating);
    if (b.channels !== undefined) replaceMap(doc, ['budget', 'channels'], b.channels);
  }
  if (p.bid !== undefined) replaceMap(doc, ['bid'], p.bid);
  if (p.flight !== undefined) {
    for (const k of ['start', 'end'] as const) {
      const v = p.flight[k];
      if (v === null || v === '') {
        if (doc.hasIn(['flight', k])) doc.deleteIn(['flight', k]);
      } else if (v !== undefined) {
        if (!isMap(doc.getIn(['flight']))) doc.setIn(['flight'], doc.createNode({}));
        doc.setIn(['flight', k], v);
      }
    }
    const f = doc.getIn(['flight']);
    if (isMap(f) && f.items.length === 0) doc.deleteIn(['flight']);
  }
  if (p.frequencyCaps !== undefined) {
    const node = doc.createNode(p.frequencyCaps, { flow: true });
    const old = doc.getIn(['frequencyCaps'], true);
    if (isSeq(old)) node.commentBefore = old.commentBefore;
    doc.setIn(['frequencyCaps'], node);
  }
}

/** Makes the map at `path` hold exactly `value`'s keys, keeping the node (its style and comments) when there is one. */
function replaceMap(doc: Document, path: readonly string[], value: Record<string, unknown>): void {
  const node = doc.getIn(path, true);
  if (!isMap(node)) {
    doc.setIn(path, doc.createNode(value, { flow: true }));
    return;
  }
  for (const item of [...node.items]) {
    const key = isRecordKey(item.key);
    if (key !== undefined && !(key in value)) node.delete(key);
  }
  for (const [k, v] of Object.entries(value)) node.set(k, v);
}

function isRecordKey(k: unknown): string | undefined {
  if (typeof k === 'string') return k;
  if (typeof k === 'object' && k !== null && 'value' in k) return String((k as { value: unknown }).value);
  return undefined;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  // Not `*.yaml`: the loader must never see the half-written file.
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.write(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Leaf-level differences between two plain values, as dotted paths. */
function diffValues(before: unknown, after: unknown, path: string): DiffEntry[] {
  if (isRecord(before) && isRecord(after)) {
    const out: DiffEntry[] = [];
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)]))
      out.push(...diffValues(before[k], after[k], path === '' ? k : `${path}.${k}`));
    return out;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, before: before ?? null, after: after ?? null }];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
