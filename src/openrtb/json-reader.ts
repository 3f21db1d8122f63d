/**
 * Typed field readers over an already-parsed JSON value, for the hand-written request decoder. A reader
 * returns the value or throws a `FieldError` naming the path; the decoder catches it once at the top, so
 * the happy path has no result objects to allocate. Paths are built only when an error is thrown.
 *
 * OpenRTB booleans are integers 0/1 (§2.5); `true`/`false` are tolerated since real exchanges send them.
 */

export class FieldError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

export type Obj = Readonly<Record<string, unknown>>;

export const kEmptyStrings: readonly string[] = Object.freeze([]);
export const kEmptyNumbers: readonly number[] = Object.freeze([]);

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Readers take (parent path, key) and join them only when they throw, so valid input builds no paths. */
export function at(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function obj(v: unknown, p: string, k: string | number): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new FieldError(at(p, k), 'expected object');
  return v;
}

export function str(v: unknown, p: string, k: string | number): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new FieldError(at(p, k), 'expected string');
  return v;
}

export function int(v: unknown, p: string, k: string | number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new FieldError(at(p, k), 'expected integer');
  return v;
}

export function uint(v: unknown, p: string, k: string | number): number | undefined {
  const n = int(v, p, k);
  if (n !== undefined && n < 0) throw new FieldError(at(p, k), 'expected non-negative integer');
  return n;
}

export function num(v: unknown, p: string, k: string | number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FieldError(at(p, k), 'expected number');
  return v;
}

export function flag(v: unknown, p: string, k: string | number): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 1 || v === true) return true;
  if (v === 0 || v === false) return false;
  throw new FieldError(at(p, k), 'expected 0 or 1');
}

export function strList(v: unknown, p: string, k: string | number): readonly string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new FieldError(at(p, k), 'expected array');
  if (v.length === 0) return kEmptyStrings;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') throw new FieldError(at(at(p, k), i), 'expected string');
  return v as string[];
}

export function intList(v: unknown, p: string, k: string | number): readonly number[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new FieldError(at(p, k), 'expected array');
  if (v.length === 0) return kEmptyNumbers;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw new FieldError(at(at(p, k), i), 'expected integer');
  }
  return v as number[];
}

export function arr(v: unknown, p: string, k: string | number): readonly unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new FieldError(at(p, k), 'expected array');
  return v;
}
