import { describe, expect, it } from 'vitest';
import { channelOf, idKeysFor, isUsableIfa, kMaxIds, recordIdKeys } from '../../../src/segments/ids.js';
import { device, request, user } from '../../helpers/requests.js';

const eids = [
  { source: 'id5-sync.com', uids: [{ id: 'ID5-abc', atype: 1 }] },
  {
    source: 'uidapi.com',
    uids: [
      { id: 'uid2-x', atype: 3 },
      { id: '', atype: 3 },
    ],
  },
];

describe('idKeysFor', () => {
  it('returns every id kind in priority order: buyer uid, eids, ifa, exchange user id', () => {
    const req = request({ user: user('u-1', { buyeruid: 'bu-9', eids }), device: device({ ifa: 'AA-BB-CC' }) });
    expect(idKeysFor(req, 'xch', true)).toEqual([
      'buid:xch:bu-9',
      'eid:id5-sync.com:ID5-abc',
      'eid:uidapi.com:uid2-x',
      'ifa:aa-bb-cc',
      'uid:u-1',
    ]);
  });

  it('namespaces the buyer uid by channel: it is exchange-specific', () => {
    const req = request({ user: user(undefined, { buyeruid: 'same' }) });
    expect(idKeysFor(req, 'a', false)).toEqual(['buid:a:same']);
    expect(idKeysFor(req, 'b', false)).toEqual(['buid:b:same']);
  });

  it('uses the ifa only when allowed, and never an empty or all-zero one', () => {
    const withIfa = (ifa: string | undefined) => request({ user: undefined, device: device({ ifa }) });
    expect(idKeysFor(withIfa('6D92078A-8246-4BA4-AE5B-76104861E7DC'), 'x', false)).toEqual([]);
    expect(idKeysFor(withIfa('6D92078A-8246-4BA4-AE5B-76104861E7DC'), 'x', true)).toEqual([
      'ifa:6d92078a-8246-4ba4-ae5b-76104861e7dc',
    ]);
    expect(idKeysFor(withIfa('00000000-0000-0000-0000-000000000000'), 'x', true)).toEqual([]);
    expect(idKeysFor(withIfa(''), 'x', true)).toEqual([]);
    expect(idKeysFor(withIfa(undefined), 'x', true)).toEqual([]);
  });

  it('skips empty ids and duplicates, and bounds the count', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      source: `s${i % 3}`,
      uids: [{ id: `v${i % 20}`, atype: 1 }],
    }));
    const ids = idKeysFor(
      request({ user: user('', { buyeruid: '', eids: [...many, { source: '', uids: [{ id: 'x', atype: 1 }] }] }) }),
      'c',
      true,
    );
    expect(ids.length).toBeLessThanOrEqual(kMaxIds);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith('eid:s'))).toBe(true);
  });

  it('no user and no device: no ids', () => {
    expect(idKeysFor(request({ user: undefined, device: undefined }), 'c', true)).toEqual([]);
  });
});

describe('recordIdKeys (the loader)', () => {
  it('orders a record’s ids like a request’s, so both name the person by the same first id', () => {
    expect(
      recordIdKeys({ uid: 'u', ifa: 'F-1', eids: [{ source: 'id5', id: 'e' }], buid: { zz: 'b2', aa: 'b1' } }),
    ).toEqual(['buid:aa:b1', 'buid:zz:b2', 'eid:id5:e', 'ifa:f-1', 'uid:u']);
    expect(recordIdKeys({ ifa: '0000-0000' })).toEqual([]);
  });
});

describe('helpers', () => {
  it('isUsableIfa / channelOf', () => {
    expect(isUsableIfa('0')).toBe(false);
    expect(isUsableIfa('-')).toBe(false);
    expect(isUsableIfa('0a')).toBe(true);
    expect(channelOf(['eid:x:1', 'buid:ch-1:zz'])).toBe('ch-1');
    expect(channelOf(['uid:1'])).toBeUndefined();
  });
});
