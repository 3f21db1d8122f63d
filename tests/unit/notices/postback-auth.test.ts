import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import type { Advertiser } from '../../../src/config/advertisers.js';
import { canonicalQuery, signPostback, verifyPostback } from '../../../src/notices/postback-auth.js';

const adv = (auth: Advertiser['auth'], secret: string | null = 's3cret'): Advertiser => ({
  id: 'acme',
  name: 'Acme Shoes',
  secret: secret === null ? undefined : Buffer.from(secret),
  auth,
  campaignIds: new Set(),
});
const params = (o: Record<string, string>) => new Map(Object.entries(o));

describe('postback signatures', () => {
  it('canonical form: sig left out, names sorted, names and values percent-encoded', () => {
    expect(canonicalQuery(params({ value: '12.50', adv: 'acme', sig: 'x', id: 'o 1&2', clid: 'AbC-_1' }))).toBe(
      'adv=acme&clid=AbC-_1&id=o%201%262&value=12.50',
    );
  });

  it('is HMAC-SHA256 in hex over the canonical form, as an advertiser computes it by hand', () => {
    const p = params({ adv: 'acme', clid: 'c1', id: 'o1', value: '10' });
    const byHand = createHmac('sha256', 's3cret').update('adv=acme&clid=c1&id=o1&value=10').digest('hex');
    expect(signPostback(p, 's3cret')).toBe(byHand);
    expect(verifyPostback(new Map([...p, ['sig', byHand]]), adv('any'))).toBe('ok');
    expect(verifyPostback(new Map([...p, ['sig', byHand.toUpperCase()]]), adv('sig'))).toBe('ok');
  });

  it('refuses a signature over other values, a malformed one, the wrong secret, and an unknown advertiser', () => {
    const p = params({ adv: 'acme', clid: 'c1', id: 'o1', value: '10' });
    const sig = signPostback(p, 's3cret');
    expect(verifyPostback(new Map([...p, ['value', '1000'], ['sig', sig]]), adv('any'))).toBe('bad');
    expect(verifyPostback(new Map([...p, ['extra', 'x'], ['sig', sig]]), adv('any'))).toBe('bad');
    expect(verifyPostback(new Map([...p, ['sig', sig.slice(0, 62)]]), adv('any'))).toBe('bad');
    expect(verifyPostback(new Map([...p, ['sig', 'zz'.repeat(32)]]), adv('any'))).toBe('bad');
    expect(verifyPostback(new Map([...p, ['sig', signPostback(p, 'other')]]), adv('any'))).toBe('bad');
    expect(verifyPostback(new Map([...p, ['sig', sig]]), undefined)).toBe('bad');
    expect(verifyPostback(new Map([...p, ['sig', sig]]), adv('any', null))).toBe('bad');
    expect(verifyPostback(new Map([...p, ['sig', sig]]), adv('token'))).toBe('bad');
  });
});

describe('postback tokens', () => {
  it('accepts the shared secret unless the advertiser must sign; missing credentials are told apart', () => {
    expect(verifyPostback(params({ adv: 'acme', token: 's3cret' }), adv('any'))).toBe('ok');
    expect(verifyPostback(params({ adv: 'acme', token: 's3cret' }), adv('token'))).toBe('ok');
    expect(verifyPostback(params({ adv: 'acme', token: 's3cret' }), adv('sig'))).toBe('bad');
    expect(verifyPostback(params({ adv: 'acme', token: 's3cre' }), adv('any'))).toBe('bad');
    expect(verifyPostback(params({ adv: 'acme', token: 's3cret ' }), adv('any'))).toBe('bad');
    expect(verifyPostback(params({ adv: 'acme', token: '' }), adv('any'))).toBe('bad');
    expect(verifyPostback(params({ adv: 'acme' }), adv('any'))).toBe('missing');
    expect(verifyPostback(params({ adv: 'acme' }), undefined)).toBe('missing');
  });
});
