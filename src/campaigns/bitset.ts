/**
 * Fixed-size bitsets over campaign indices: the targeting index stores one per dimension value, and
 * selection ANDs a handful of them, 32 campaigns per machine word, into scratch space it reuses.
 */

export type Bitset = Uint32Array;

export function bitsetWords(size: number): number {
  return Math.max(1, Math.ceil(size / 32));
}

export function setBit(b: Bitset, i: number): void {
  b[i >>> 5]! |= 1 << (i & 31);
}

export function orInto(dst: Bitset, src: Bitset): void {
  for (let w = 0; w < dst.length; w++) dst[w]! |= src[w]!;
}

export function andInto(dst: Bitset, src: Bitset): void {
  for (let w = 0; w < dst.length; w++) dst[w]! &= src[w]!;
}

export function isEmpty(b: Bitset): boolean {
  for (let w = 0; w < b.length; w++) if (b[w] !== 0) return false;
  return true;
}

/** Writes the indices of set bits into `out` (cleared first); returns the count. */
export function collect(b: Bitset, out: number[]): number {
  out.length = 0;
  for (let w = 0; w < b.length; w++) {
    let word = b[w]!;
    while (word !== 0) {
      const t = word & -word;
      out.push((w << 5) + (31 - Math.clz32(t)));
      word ^= t;
    }
  }
  return out.length;
}
