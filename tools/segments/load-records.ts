/**
 * Records of the segment loader (`tools/segments-load.ts`), parsed and validated one line at a time so a
 * bad line is reported by number and skipped, never aborting the load.
 *
 * JSONL, one record per line:
 *   {"ids": {"uid": "…", "ifa": "…", "eids": [{"source": "…", "id": "…"}], "buid": {"<channel>": "…"}},
 *    "segments": ["s1", {"id": "s2", "source": 1, "ttl": 86400}], "ttl": 2592000}
 *   `ttl` (seconds) defaults to 30 days; a segment's own `ttl` overrides it for that segment.
 *
 * CSV, with a header line naming the columns, in any order (RFC 4180 quoting allowed):
 *   uid, ifa            the user id / advertising id
 *   eid:<source>        one column per extended-id source, e.g. `eid:id5-sync.com`
 *   buid:<channel>      one column per channel's buyer uid, e.g. `buid:xchange`
 *   segments            segment ids separated by `|`: `auto|sports|s-42`
 *   ttl                 seconds (optional; empty = the default)
 *   e.g. `uid,ifa,eid:id5-sync.com,buid:xchange,segments,ttl`
 *
 * The person id is derived from the record's first id (in the bid path's priority order, ids.ts), so
 * loading the same file twice gives the same people.
 */
import { createHash } from 'node:crypto';
import type { IdKey, SegmentEntry } from '../../src/store/ports.js';
import { recordIdKeys, type RecordIds } from '../../src/segments/ids.js';

export interface LoadRecord {
  readonly ids: readonly IdKey[];
  readonly personId: string;
  readonly segments: readonly SegmentEntry[];
  readonly ttlSeconds: number;
}

export type ParseResult =
  | { readonly ok: true; readonly record: LoadRecord }
  | { readonly ok: false; readonly error: string };

export const kDefaultTtlSeconds = 30 * 86_400;
const kMaxTtlSeconds = 10 * 365 * 86_400;

export function personIdFor(firstId: IdKey): string {
  return `p${createHash('sha1').update(firstId).digest('base64url').slice(0, 16)}`;
}

export function parseJsonRecord(line: string, nowMs: number, defaultTtl = kDefaultTtlSeconds): ParseResult {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return fail('invalid JSON');
  }
  if (!isObject(v)) return fail('not a JSON object');
  if (!isObject(v.ids)) return fail('ids: expected an object');
  const ids = jsonIds(v.ids);
  if (typeof ids === 'string') return fail(ids);
  const ttl = v.ttl === undefined ? defaultTtl : v.ttl;
  if (!isTtl(ttl)) return fail('ttl: expected seconds > 0');
  if (v.segments !== undefined && !Array.isArray(v.segments)) return fail('segments: expected an array');
  const segments: SegmentEntry[] = [];
  for (const [i, s] of ((v.segments ?? []) as unknown[]).entries()) {
    if (typeof s === 'string' && s !== '') segments.push({ id: s });
    else if (isObject(s) && typeof s.id === 'string' && s.id !== '') {
      if (s.source !== undefined && s.source !== 1 && s.source !== 2 && s.source !== 3)
        return fail(`segments[${i}].source: expected 1, 2 or 3`);
      if (s.ttl !== undefined && !isTtl(s.ttl)) return fail(`segments[${i}].ttl: expected seconds > 0`);
      segments.push({ id: s.id, source: s.source, expiresAt: s.ttl === undefined ? undefined : nowMs + s.ttl * 1000 });
    } else return fail(`segments[${i}]: expected a segment id or {"id": …}`);
  }
  return record(ids, segments, ttl);
}

function jsonIds(o: Record<string, unknown>): RecordIds | string {
  for (const k of Object.keys(o))
    if (k !== 'uid' && k !== 'ifa' && k !== 'eids' && k !== 'buid')
      return `ids.${k}: unknown id kind (uid, ifa, eids, buid)`;
  if (o.uid !== undefined && typeof o.uid !== 'string') return 'ids.uid: expected a string';
  if (o.ifa !== undefined && typeof o.ifa !== 'string') return 'ids.ifa: expected a string';
  if (o.eids !== undefined) {
    if (!Array.isArray(o.eids)) return 'ids.eids: expected an array';
    for (const [i, e] of (o.eids as unknown[]).entries())
      if (!isObject(e) || typeof e.source !== 'string' || typeof e.id !== 'string')
        return `ids.eids[${i}]: expected {"source": "…", "id": "…"}`;
  }
  if (o.buid !== undefined) {
    if (!isObject(o.buid)) return 'ids.buid: expected an object of channel → buyer uid';
    for (const [ch, b] of Object.entries(o.buid))
      if (typeof b !== 'string' || ch === '') return `ids.buid.${ch}: expected a string`;
  }
  return o as RecordIds;
}

/** Parses CSV lines against the header given at construction (which throws when the header is unusable). */
export class CsvRecordParser {
  readonly #columns: readonly ((ids: MutableIds, cell: string) => void)[];
  readonly #segments: number;
  readonly #ttl: number;
  readonly #defaultTtl: number;

  constructor(header: string, defaultTtl = kDefaultTtlSeconds) {
    const cells = splitCsv(header.replace(/^\uFEFF/, ''));
    if (cells === undefined) throw new Error('CSV header: unbalanced quotes');
    const names = cells.map((s) => s.trim());
    this.#segments = names.indexOf('segments');
    this.#ttl = names.indexOf('ttl');
    this.#defaultTtl = defaultTtl;
    this.#columns = names.map((name) => columnSetter(name));
    if (!names.some((n) => n === 'uid' || n === 'ifa' || n.startsWith('eid:') || n.startsWith('buid:')))
      throw new Error('CSV header: no id column (uid, ifa, eid:<source>, buid:<channel>)');
  }

  parse(line: string): ParseResult {
    const cells = splitCsv(line);
    if (cells === undefined) return fail('unbalanced quotes');
    if (cells.length !== this.#columns.length)
      return fail(`expected ${this.#columns.length} columns, got ${cells.length}`);
    const ids: MutableIds = {};
    for (let i = 0; i < cells.length; i++) if (cells[i] !== '') this.#columns[i]!(ids, cells[i]!);
    const ttlCell = this.#ttl === -1 ? '' : cells[this.#ttl]!.trim();
    const ttl = ttlCell === '' ? this.#defaultTtl : Number(ttlCell);
    if (!isTtl(ttl)) return fail('ttl: expected seconds > 0');
    const segCell = this.#segments === -1 ? '' : cells[this.#segments]!;
    const segments =
      segCell === ''
        ? []
        : segCell
            .split('|')
            .filter((s) => s !== '')
            .map((id) => ({ id }));
    return record(ids, segments, ttl);
  }
}

interface MutableIds {
  uid?: string;
  ifa?: string;
  eids?: { source: string; id: string }[];
  buid?: Record<string, string>;
}

function columnSetter(name: string): (ids: MutableIds, cell: string) => void {
  if (name === 'uid') return (ids, c) => void (ids.uid = c);
  if (name === 'ifa') return (ids, c) => void (ids.ifa = c);
  if (name === 'segments' || name === 'ttl') return () => {};
  if (name.startsWith('eid:') && name.length > 4)
    return (ids, c) => void (ids.eids ??= []).push({ source: name.slice(4), id: c });
  if (name.startsWith('buid:') && name.length > 5) return (ids, c) => void ((ids.buid ??= {})[name.slice(5)] = c);
  throw new Error(`CSV header: unknown column "${name}" (uid, ifa, eid:<source>, buid:<channel>, segments, ttl)`);
}

/** One CSV line → cells (RFC 4180: quotes around a cell, "" for a quote inside); undefined if unbalanced. */
export function splitCsv(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c !== '"') cell += c;
      else if (line[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

function record(ids: RecordIds, segments: SegmentEntry[], ttlSeconds: number): ParseResult {
  const keys = recordIdKeys(ids);
  if (keys.length === 0) return fail('no usable id');
  return { ok: true, record: { ids: keys, personId: personIdFor(keys[0]!), segments, ttlSeconds } };
}

function isTtl(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= kMaxTtlSeconds;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(error: string): ParseResult {
  return { ok: false, error };
}
