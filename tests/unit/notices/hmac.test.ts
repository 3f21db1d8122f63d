import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256Into } from '../../../src/notices/hmac.js';

const reference = (secret: Buffer, text: string) => createHmac('sha256', secret).update(text).digest();

describe('hmacSha256Into', () => {
  it('equals createHmac for short, block-sized and long keys and for ASCII, multi-byte and long messages', () => {
    const texts = ['', 'k1.eyJhIjoxfQ', 'é€😀 mixed', 'x'.repeat(2730), 'y'.repeat(2731), 'é'.repeat(3000), 'lone \ud800 surrogate'];
    const out = Buffer.alloc(32);
    for (const len of [0, 1, 3, 32, 63, 64, 65, 200]) {
      const secret = randomBytes(len);
      for (const text of texts) {
        out.fill(0);
        hmacSha256Into(secret, text, out);
        expect(out.toString('hex'), `key ${len} bytes, text ${text.length} chars`).toBe(reference(secret, text).toString('hex'));
      }
    }
  });
  it('keeps keys apart and gives the same result on repeated calls (prepared keys are cached per secret)', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    const out = Buffer.alloc(32);
    for (let i = 0; i < 3; i++) {
      hmacSha256Into(a, `m${i}`, out);
      expect(out.equals(reference(a, `m${i}`))).toBe(true);
      hmacSha256Into(b, `m${i}`, out);
      expect(out.equals(reference(b, `m${i}`))).toBe(true);
    }
  });
});
