/**
 * Encrypted `${AUCTION_PRICE}`: the HMAC-SHA1 price-confirmation scheme exchanges such as Google's use.
 *
 *     ciphertext (28 bytes) = iv (16) ‖ price ⊕ HMAC-SHA1(encryptionKey, iv)[0..8] (8) ‖ signature (4)
 *     signature             = HMAC-SHA1(integrityKey, price ‖ iv)[0..4]
 *
 * sent as web-safe base64 (`-_`, padding optional); the price is a big-endian unsigned 64-bit count of
 * micros of the account currency. The signature is compared in constant time; anything malformed, of the
 * wrong length or tampered with decrypts to `undefined`, never a throw (the text comes from a URL).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface PriceKeys {
  readonly encryptionKey: Uint8Array;
  readonly integrityKey: Uint8Array;
}

export interface PriceCrypter {
  /** Micros, or `undefined` when the text is not a valid ciphertext for these keys. */
  decrypt(text: string): number | undefined;
  /** The web-safe base64 ciphertext (unpadded) of `micros` with this 16-byte initialization vector. */
  encrypt(micros: number, iv: Uint8Array): string;
}

const kIv = 16;
const kPrice = 8;
const kSig = 4;
const kLength = kIv + kPrice + kSig;
/** 28 bytes are 38 base64 characters unpadded, 40 with `==`. */
const kCiphertext = /^[A-Za-z0-9_\-+/]{38}(?:==?)?$/;
const kBase64 = /^[A-Za-z0-9_\-+/]+={0,2}$/;

/**
 * Web-safe base64 (with or without padding) → bytes; standard base64 is accepted too. Lenient like
 * `Buffer.from(…, 'base64')`: characters outside the alphabet are ignored. For keys, use `parsePriceKey`.
 */
export function decodeWebSafeBase64(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/**
 * A key as exchanges hand it out (web-safe base64, usually 32 bytes), checked strictly so that a key
 * mangled in a config file fails at load instead of silently rejecting every price. Throws a RangeError.
 */
export function parsePriceKey(text: string): Uint8Array {
  const t = text.trim();
  if (!kBase64.test(t) || t.replace(/=+$/, '').length % 4 === 1)
    throw new RangeError('price key: expected web-safe base64');
  const bytes = decodeWebSafeBase64(t);
  if (bytes.length < 16) throw new RangeError(`price key: ${bytes.length} bytes, expected at least 16`);
  return bytes;
}

export function createPriceCrypter(keys: PriceKeys): PriceCrypter {
  if (keys.encryptionKey.length === 0 || keys.integrityKey.length === 0)
    throw new RangeError('price keys must not be empty');
  const encryptionKey = Buffer.from(keys.encryptionKey);
  const integrityKey = Buffer.from(keys.integrityKey);
  const pad = (iv: Uint8Array): Buffer => createHmac('sha1', encryptionKey).update(iv).digest();
  const sign = (price: Uint8Array, iv: Uint8Array): Buffer =>
    createHmac('sha1', integrityKey).update(price).update(iv).digest().subarray(0, kSig);

  return {
    decrypt(text) {
      if (!kCiphertext.test(text)) return undefined;
      const bytes = decodeWebSafeBase64(text);
      if (bytes.length !== kLength) return undefined;
      const iv = bytes.subarray(0, kIv);
      const p = pad(iv);
      const price = Buffer.allocUnsafe(kPrice);
      for (let i = 0; i < kPrice; i++) price[i] = bytes[kIv + i]! ^ p[i]!;
      if (!timingSafeEqual(sign(price, iv), bytes.subarray(kIv + kPrice))) return undefined;
      const micros = price.readBigUInt64BE(0);
      return micros > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(micros);
    },
    encrypt(micros, iv) {
      if (iv.length !== kIv) throw new RangeError(`iv must be ${kIv} bytes`);
      if (!Number.isSafeInteger(micros) || micros < 0)
        throw new RangeError('price must be a non-negative integer of micros');
      const price = Buffer.alloc(kPrice);
      price.writeBigUInt64BE(BigInt(micros));
      const p = pad(iv);
      const out = Buffer.alloc(kLength);
      out.set(iv, 0);
      for (let i = 0; i < kPrice; i++) out[kIv + i] = price[i]! ^ p[i]!;
      out.set(sign(price, iv), kIv + kPrice);
      return out.toString('base64url');
    },
  };
}
