import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256Base64url } from '../../../src/tokens/hmac.js';

const reference = (secret: Buffer, text: string) => createHmac('sha256', secret).update(text).digest('base64url');

describe('hmacSha256Base64url', () => {
  it('equals createHmac for short, block-sized and long keys and for ASCII, multi-byte and long messages', () => {
    const texts = [
      '',
      'k1.eyJhIjoxfQ',
      'é€😀 mixed',
      'x'.repeat(2730),
      'y'.repeat(2731),
      'é'.repeat(3000),
      'lone \ud800 surrogate',
    ];
    for (const len of [0, 1, 3, 32, 63, 64, 65, 200]) {
      const secret = randomBytes(len);
      for (const text of texts)
        expect(hmacSha256Base64url(secret, text), `key ${len} bytes, text ${text.length} chars`).toBe(
          reference(secret, text),
        );
    }
  });
  it('keeps keys apart and gives the same result on repeated calls (prepared keys are cached per secret)', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    for (let i = 0; i < 3; i++) {
      expect(hmacSha256Base64url(a, `m${i}`)).toBe(reference(a, `m${i}`));
      expect(hmacSha256Base64url(b, `m${i}`)).toBe(reference(b, `m${i}`));
    }
  });
});
