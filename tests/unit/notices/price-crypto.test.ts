/**
 * Encrypted prices (HMAC-SHA1 price confirmation): the published vectors, round trips with random ivs,
 * wrong keys, tampering, wrong lengths and alphabets, padded and unpadded base64, and key parsing.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPriceCrypter, decodeWebSafeBase64, parsePriceKey } from '../../../src/notices/price-crypto.js';
import { prng } from '../../../tools/train/synthetic.js';

interface Vectors {
  readonly encryption_key_websafe_b64: string;
  readonly integrity_key_websafe_b64: string;
  readonly vectors: readonly { readonly ciphertext: string; readonly valid: boolean; readonly price_micros?: number }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/price-crypto-vectors.json', import.meta.url), 'utf8'),
) as Vectors;
const keys = {
  encryptionKey: parsePriceKey(vectors.encryption_key_websafe_b64),
  integrityKey: parsePriceKey(vectors.integrity_key_websafe_b64),
};
const crypter = createPriceCrypter(keys);
const valid = vectors.vectors.find((v) => v.valid)!;
const tampered = vectors.vectors.find((v) => !v.valid)!;

const unpad = (t: string): string => t.replace(/=+$/, '');

describe('encrypted price: the published vectors', () => {
  it('decrypts the valid vector to 1,200,000 micros', () => {
    expect(valid.price_micros).toBe(1_200_000);
    expect(crypter.decrypt(valid.ciphertext)).toBe(1_200_000);
  });

  it('rejects the tampered vector', () => {
    expect(crypter.decrypt(tampered.ciphertext)).toBeUndefined();
  });

  it('accepts the valid vector padded and unpadded', () => {
    expect(crypter.decrypt(unpad(valid.ciphertext))).toBe(1_200_000);
    expect(crypter.decrypt(`${unpad(valid.ciphertext)}==`)).toBe(1_200_000);
  });

  it('re-encrypts the valid vector with its own iv to the same ciphertext', () => {
    const iv = decodeWebSafeBase64(valid.ciphertext).subarray(0, 16);
    expect(crypter.encrypt(1_200_000, iv)).toBe(unpad(valid.ciphertext));
  });
});

describe('encrypted price: round trips and rejections', () => {
  it('round-trips seeded random prices with random ivs, padded and unpadded', () => {
    const rand = prng(42);
    for (let i = 0; i < 300; i++) {
      const micros = i === 0 ? 0 : i === 1 ? Number.MAX_SAFE_INTEGER : Math.floor(rand() * 100_000_000);
      const text = crypter.encrypt(micros, randomBytes(16));
      expect(text).toMatch(/^[A-Za-z0-9_-]{38}$/);
      expect(crypter.decrypt(text)).toBe(micros);
      expect(crypter.decrypt(`${text}==`)).toBe(micros);
    }
  });

  it('rejects a ciphertext made with other keys', () => {
    const text = crypter.encrypt(1_234_567, randomBytes(16));
    expect(
      createPriceCrypter({ encryptionKey: keys.encryptionKey, integrityKey: randomBytes(32) }).decrypt(text),
    ).toBeUndefined();
    expect(
      createPriceCrypter({ encryptionKey: randomBytes(32), integrityKey: keys.integrityKey }).decrypt(text),
    ).toBeUndefined();
    expect(
      createPriceCrypter({ encryptionKey: keys.integrityKey, integrityKey: keys.encryptionKey }).decrypt(text),
    ).toBeUndefined();
  });

  it('rejects every single-bit change of a ciphertext (iv, price or signature)', () => {
    const raw = decodeWebSafeBase64(crypter.encrypt(1_234_567, randomBytes(16)));
    for (let i = 0; i < raw.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const t = Buffer.from(raw);
        t[i] = t[i]! ^ (1 << bit);
        expect(crypter.decrypt(t.toString('base64url')), `byte ${i} bit ${bit}`).toBeUndefined();
      }
    }
  });

  it('rejects wrong lengths, wrong alphabets and unexpanded macros without throwing', () => {
    const text = crypter.encrypt(1_234_567, randomBytes(16));
    const raw = decodeWebSafeBase64(text);
    const bad = [
      '',
      'abc',
      text.slice(0, -1),
      text.slice(0, -4),
      `${text}A`,
      `${text}AAAA`,
      `${text}===`,
      Buffer.concat([raw, Buffer.from([0])]).toString('base64url'), // 29 bytes
      raw.subarray(0, 27).toString('base64url'), // 27 bytes
      `${text.slice(0, 10)}.${text.slice(11)}`,
      `${text.slice(0, 10)} ${text.slice(11)}`,
      '${AUCTION_PRICE}',
      '1.25',
    ];
    for (const b of bad) expect(crypter.decrypt(b), JSON.stringify(b)).toBeUndefined();
  });

  it('refuses to encrypt a bad iv or price', () => {
    expect(() => crypter.encrypt(1, new Uint8Array(15))).toThrow(RangeError);
    expect(() => crypter.encrypt(-1, new Uint8Array(16))).toThrow(RangeError);
    expect(() => crypter.encrypt(1.5, new Uint8Array(16))).toThrow(RangeError);
  });
});

describe('encrypted price: keys', () => {
  it('parses web-safe base64 keys, padded or not', () => {
    const padded = vectors.encryption_key_websafe_b64;
    expect(padded.endsWith('=')).toBe(true);
    expect(parsePriceKey(padded)).toStrictEqual(parsePriceKey(unpad(padded)));
    expect(parsePriceKey(padded)).toHaveLength(32);
    expect(Buffer.from(parsePriceKey(padded)).toString('base64url')).toBe(unpad(padded));
  });

  it('refuses keys that are not base64 or too short', () => {
    for (const bad of ['', 'not a key!', 'sIxwz7yw62yrfoLGt12lIHKuYrK_S5kLuApI2BQe7Ac=x', 'AAAA', 'A'.repeat(21)])
      expect(() => parsePriceKey(bad), bad).toThrow(RangeError);
    expect(() => createPriceCrypter({ encryptionKey: new Uint8Array(0), integrityKey: keys.integrityKey })).toThrow(
      RangeError,
    );
  });
});
