/**
 * Typed field readers over an already-parsed JSON value, for the hand-written request decoder.
 *
 * A reader returns the value (or `undefined` when the field is absent or `null`) and throws a `FieldError`
 * naming the field when the type is wrong; the decoder catches it once at the top, so valid input allocates
 * no result wrappers. The path of the object being read is kept on a small module-level stack of keys that
 * the decoder pushes on the way down (`enter`) and pops on the way up (`leave`): pushing a constant key or an
 * index costs a store, and the path string is joined only when a reader throws.
 *
 *     enter('imp') enter(0) enter('banner')     stack: ['imp', 0, 'banner']
 *     uint(v.w, 'w') throws                     path:  imp[0].banner.w
 *
 * Decoding is synchronous and never re-enters itself, so one stack per thread is enough; `resetPath()` at the
 * start of every decode discards whatever a previous failed decode left on it.
 *
 * OpenRTB booleans are integers 0/1 (§2.5); JSON `true`/`false` are tolerated since real exchanges send them.
 */

/** A bad field. Also thrown (with an explicit path) by the protobuf decoder, so both report alike. */
export class FieldError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

export type Obj = Readonly<Record<string, unknown>>;

export const kEmptyStrings: readonly string[] = Object.freeze([]);
const kEmptyNumbers: readonly number[] = Object.freeze([]);

const kPath: (string | number)[] = [];
let depth = 0;

export function resetPath(): void {
  depth = 0;
}

export function enter(key: string | number): void {
  kPath[depth++] = key;
}

export function leave(): void {
  depth--;
}

/** The dotted path of `key` below the current object: `imp[0].banner.w`. `key` undefined = the object itself. */
function pathOf(key?: string | number): string {
  let out = '';
  for (let i = 0; i <= depth; i++) {
    const k = i < depth ? kPath[i] : key;
    if (k === undefined) break;
    out = typeof k === 'number' ? `${out}[${k}]` : out === '' ? k : `${out}.${k}`;
  }
  return out;
}

export function fail(key: string | number | undefined, message: string): never {
  throw new FieldError(pathOf(key), message);
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown, k: string | number): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) fail(k, 'expected object');
  return v;
}

export function str(v: unknown, k: string | number): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(k, 'expected string');
  return v;
}

/** A required string that must not be empty (ids). */
export function id(v: unknown, k: string): string {
  const s = str(v, k);
  if (s === undefined || s === '') fail(k, 'required');
  return s;
}

export function int(v: unknown, k: string | number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(k, 'expected integer');
  return v;
}

export function uint(v: unknown, k: string | number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(k, 'expected integer');
  if (v < 0) fail(k, 'expected non-negative integer');
  return v;
}

/** A finite number. JSON cannot say NaN, but `1e400` parses to Infinity. */
export function num(v: unknown, k: string | number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(k, 'expected number');
  return v;
}

/** A price or floor: a finite number ≥ 0, `0` when absent (OpenRTB 2.6 §3.2.4 `bidfloor` default). */
export function floor(v: unknown, k: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(k, 'expected number');
  if (v < 0) fail(k, 'expected a non-negative number');
  return v;
}

export function flag(v: unknown, k: string | number): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 1 || v === true) return true;
  if (v === 0 || v === false) return false;
  return fail(k, 'expected 0 or 1');
}

export function arr(v: unknown, k: string | number): readonly unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(k, 'expected array');
  return v;
}

/** A string array, returned as parsed (no copy): the internal types are readonly. */
export function strList(v: unknown, k: string): readonly string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(k, 'expected array');
  if (v.length === 0) return kEmptyStrings;
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') {
      enter(k);
      fail(i, 'expected string');
    }
  }
  return v as string[];
}

export function intList(v: unknown, k: string): readonly number[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(k, 'expected array');
  if (v.length === 0) return kEmptyNumbers;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) {
      enter(k);
      fail(i, 'expected integer');
    }
  }
  return v as number[];
}
