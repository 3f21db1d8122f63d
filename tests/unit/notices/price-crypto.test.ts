import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPriceCrypter, decodeWebSafeBase64 } from '../../../src/notices/price-crypto.js';

const vectors = JSON.parse(readFileSync(new URL('../../../../shared/price-crypto-vectors.json', import.meta.url), 'utf8')) as {
  encryption_key_websafe_b64: string;
  integrity_key_websafe_b64: string;
  vectors: { ciphertext: string; valid: boolean; price_micros?: number }[];
};
const keys = { encryptionKey: decodeWebSafeBase64(vectors.encryption_key_websafe_b64), integrityKey: decodeWebSafeBase64(vectors.integrity_key_websafe_b64) };
const crypter = createPriceCrypter(keys);

describe('encrypted price (HMAC-SHA1 price confirmation)', () => {
  it('decrypts the published vectors and rejects the tampered one', () => {
    for (const v of vectors.vectors) expect(crypter.decrypt(v.ciphertext), v.ciphertext).toBe(v.valid ? v.price_micros : undefined);
  });
  it('re-encrypts the valid vector to the same ciphertext with its iv', () => {
    const valid = vectors.vectors.find((v) => v.valid)!;
    const iv = decodeWebSafeBase64(valid.ciphertext).subarray(0, 16);
    expect(crypter.encrypt(valid.price_micros!, iv)).toBe(valid.ciphertext.replace(/=+$/, ''));
  });
  it('round-trips random prices and ivs, padded and unpadded', () => {
    for (let i = 0; i < 200; i++) {
      const micros = Math.floor(Math.random() * 50_000_000);
      const text = crypter.encrypt(micros, randomBytes(16));
      expect(crypter.decrypt(text)).toBe(micros);
      expect(crypter.decrypt(`${text}==`)).toBe(micros);
    }
  });
  it('rejects wrong keys, every single-byte change, and wrong lengths', () => {
    const text = crypter.encrypt(1_234_567, randomBytes(16));
    expect(createPriceCrypter({ encryptionKey: keys.encryptionKey, integrityKey: randomBytes(32) }).decrypt(text)).toBeUndefined();
    expect(createPriceCrypter({ encryptionKey: randomBytes(32), integrityKey: keys.integrityKey }).decrypt(text)).toBeUndefined();
    const raw = decodeWebSafeBase64(text);
    for (let i = 0; i < raw.length; i++) {
      const t = Buffer.from(raw);
      t[i] = t[i]! ^ 0x01;
      expect(crypter.decrypt(t.toString('base64url')), `byte ${i}`).toBeUndefined();
    }
    for (const bad of ['', 'abc', text.slice(0, -4), `${text}AAAA`, '${AUCTION_PRICE}', '1.25']) expect(crypter.decrypt(bad)).toBeUndefined();
  });
});
