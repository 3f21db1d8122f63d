/**
 * A reader over the bits of a web-safe base64 string (the encoding of GPP headers and sections, IAB GPP
 * v1 "Consent String Specification"): fixed-width integers and Fibonacci-coded integers, MSB first.
 * Reading past the end throws; callers turn that into "bad string".
 */
const kAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const kValue = new Int8Array(128).fill(-1);
for (let i = 0; i < kAlphabet.length; i++) kValue[kAlphabet.charCodeAt(i)] = i;

export class BitReader {
  readonly #bits: Uint8Array;
  #pos = 0;

  constructor(b64: string) {
    const bits = new Uint8Array(b64.length * 6);
    for (let i = 0; i < b64.length; i++) {
      const c = b64.charCodeAt(i);
      const v = c < 128 ? kValue[c]! : -1;
      if (v < 0) throw new RangeError(`not web-safe base64 at ${i}`);
      for (let b = 0; b < 6; b++) bits[i * 6 + b] = (v >> (5 - b)) & 1;
    }
    this.#bits = bits;
  }

  get remaining(): number {
    return this.#bits.length - this.#pos;
  }

  int(width: number): number {
    if (this.#pos + width > this.#bits.length) throw new RangeError('read past end');
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 2 + this.#bits[this.#pos++]!;
    return v;
  }

  bool(): boolean {
    return this.int(1) === 1;
  }

  /** Fibonacci (Zeckendorf) code: bit i adds F(i+2) (1, 2, 3, 5, …); two consecutive 1s end the number. */
  fibonacci(): number {
    let a = 1;
    let b = 2;
    let value = 0;
    let prev = 0;
    for (;;) {
      const bit = this.int(1);
      if (bit === 1 && prev === 1) return value;
      if (bit === 1) value += a;
      prev = bit;
      const next = a + b;
      a = b;
      b = next;
      if (a > Number.MAX_SAFE_INTEGER) throw new RangeError('fibonacci integer too large');
    }
  }

  skip(width: number): void {
    this.int(width);
  }
}
