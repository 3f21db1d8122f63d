/**
 * Fast non-crypto 32-bit hashing for feature ids and experiment buckets: MurmurHash3 x86_32 over the UTF-8
 * bytes of a string, computed char by char (no TextEncoder, no allocation), so it equals the reference
 * implementation on `Buffer.from(s, 'utf8')` and can be reproduced outside Node (SQL, Python `mmh3`).
 *
 * `fold` lower-cases ASCII A–Z on the fly: feature values such as domains and OS names arrive in any case
 * and must land in one bucket without a `toLowerCase()` copy per request. Lone surrogates hash as U+FFFD,
 * like TextEncoder.
 */

const kC1 = 0xcc9e2d51;
const kC2 = 0x1b873593;

// Streaming state of the current hash. Module-level rather than an object so the byte feeder stays a
// tiny monomorphic function V8 inlines; the hash is synchronous, so nothing else can interleave.
let gH = 0;
let gK = 0;
let gShift = 0;
let gLen = 0;

function feed(byte: number): void {
  gK |= byte << gShift;
  gShift += 8;
  gLen++;
  if (gShift === 32) {
    let k = Math.imul(gK, kC1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, kC2);
    let h = gH ^ k;
    h = (h << 13) | (h >>> 19);
    gH = (Math.imul(h, 5) + 0xe6546b64) | 0;
    gK = 0;
    gShift = 0;
  }
}

/** The MurmurHash3 finaliser: a full-avalanche 32-bit mix. */
export function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function feedString(s: string, fold: boolean, start: number): void {
  const n = s.length;
  for (let i = start; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (fold && c >= 65 && c <= 90) c += 32;
      feed(c);
    } else if (c < 0x800) {
      feed(0xc0 | (c >> 6));
      feed(0x80 | (c & 63));
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          feed(0xf0 | (cp >> 18));
          feed(0x80 | ((cp >> 12) & 63));
          feed(0x80 | ((cp >> 6) & 63));
          feed(0x80 | (cp & 63));
          i++;
          continue;
        }
        c = 0xfffd;
      }
      feed(0xe0 | (c >> 12));
      feed(0x80 | ((c >> 6) & 63));
      feed(0x80 | (c & 63));
    }
  }
}

function begin(seed: number): void {
  gH = seed | 0;
  gK = 0;
  gShift = 0;
  gLen = 0;
}

function finish(): number {
  let h = gH;
  if (gShift > 0) {
    let k = Math.imul(gK, kC1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, kC2);
    h ^= k;
  }
  return fmix32(h ^ gLen);
}

/**
 * MurmurHash3 x86_32 of the UTF-8 bytes of `s` from char index `start`, as a signed int32.
 * `fold`: ASCII case-insensitive.
 */
export function murmur3(s: string, seed = 0, fold = false, start = 0): number {
  begin(seed);
  feedString(s, fold, start);
  return finish();
}

/** murmur3(a + b) without building the concatenation (experiment buckets: `experimentId:` + unit). */
export function murmur3Concat(a: string, b: string, seed = 0): number {
  begin(seed);
  feedString(a, false, 0);
  feedString(b, false, 0);
  return finish();
}

/** A 32-bit hash of an integer under a seed (feature values that are numbers: device type, hour, size). */
export function hashInt(n: number, seed: number): number {
  return fmix32(Math.imul(seed ^ 0x27d4eb2d, 0x9e3779b1) ^ Math.imul(n | 0, 0x85ebca77));
}

/** A hash as a uniform number in [0, 1). */
export function toUnit(h: number): number {
  return (h >>> 0) / 4294967296;
}
