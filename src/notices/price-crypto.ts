/**
 * Encrypted `${AUCTION_PRICE}`: the HMAC-SHA1 price-confirmation scheme exchanges such as Google's use.
 *   ciphertext (28 bytes) = iv (16) ‖ price XOR HMAC-SHA1(encryptionKey, iv)[0..8] (8) ‖ signature (4)
 *   signature = HMAC-SHA1(integrityKey, price ‖ iv)[0..4]
 * sent as web-safe base64 with optional padding; the price is a big-endian 64-bit integer of micros.
 * Signatures are compared in constant time; anything malformed or tampered decrypts to `undefined`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface PriceKeys {
  readonly encryptionKey: Uint8Array;
  readonly integrityKey: Uint8Array;
}

export interface PriceCrypter {
  /** Micros, or undefined when the text is not a valid ciphertext for these keys. */
  decrypt(text: string): number | undefined;
  encrypt(micros: number, iv: Uint8Array): string;
}

const kIv = 16;
const kPrice = 8;
const kSig = 4;
const kLength = kIv + kPrice + kSig;

/** Web-safe base64 (with or without padding) → bytes; standard base64 is accepted too. */
export function decodeWebSafeBase64(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export function createPriceCrypter(keys: PriceKeys): PriceCrypter {
  const pad = (iv: Uint8Array) => createHmac('sha1', keys.encryptionKey).update(iv).digest();
  const sign = (price: Uint8Array, iv: Uint8Array) => createHmac('sha1', keys.integrityKey).update(price).update(iv).digest().subarray(0, kSig);
  return {
    decrypt(text) {
      if (text.length < 36 || text.length > 40 || !/^[A-Za-z0-9_\-+/]+=*$/.test(text)) return undefined;
      const bytes = decodeWebSafeBase64(text);
      if (bytes.length !== kLength) return undefined;
      const iv = bytes.subarray(0, kIv);
      const p = pad(iv);
      const price = Buffer.alloc(kPrice);
      for (let i = 0; i < kPrice; i++) price[i] = bytes[kIv + i]! ^ p[i]!;
      if (!timingSafeEqual(sign(price, iv), bytes.subarray(kIv + kPrice))) return undefined;
      const micros = price.readBigUInt64BE(0);
      return micros > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(micros);
    },
    encrypt(micros, iv) {
      if (iv.length !== kIv) throw new RangeError(`iv must be ${kIv} bytes`);
      if (!Number.isSafeInteger(micros) || micros < 0) throw new RangeError('price must be non-negative integer micros');
      const price = Buffer.alloc(kPrice);
      price.writeBigUInt64BE(BigInt(micros));
      const p = pad(iv);
      const out = Buffer.alloc(kLength);
      Buffer.from(iv).copy(out, 0);
      for (let i = 0; i < kPrice; i++) out[kIv + i] = price[i]! ^ p[i]!;
      Buffer.from(sign(price, iv)).copy(out, kIv + kPrice);
      return out.toString('base64url');
    },
  };
}
