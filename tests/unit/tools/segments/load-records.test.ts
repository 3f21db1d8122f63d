import { describe, expect, it } from 'vitest';
import {
  CsvRecordParser,
  kDefaultTtlSeconds,
  parseJsonRecord,
  personIdFor,
  splitCsv,
} from '../../../../tools/segments/load-records.js';

const T = Date.UTC(2026, 10, 23, 12);

describe('JSONL records', () => {
  it('parses ids in priority order, plain and detailed segments, and the TTL', () => {
    const r = parseJsonRecord(
      JSON.stringify({
        ids: { uid: 'u1', ifa: 'ABC', eids: [{ source: 'id5', id: 'e1' }], buid: { xch: 'b1' } },
        segments: ['s1', { id: 's2', source: 1, ttl: 60 }],
        ttl: 3600,
      }),
      T,
    );
    expect(r).toEqual({
      ok: true,
      record: {
        ids: ['buid:xch:b1', 'eid:id5:e1', 'ifa:abc', 'uid:u1'],
        personId: personIdFor('buid:xch:b1'),
        segments: [{ id: 's1' }, { id: 's2', source: 1, expiresAt: T + 60_000 }],
        ttlSeconds: 3600,
      },
    });
  });

  it('defaults the TTL to 30 days and allows a record with ids only', () => {
    const r = parseJsonRecord('{"ids":{"uid":"u"}}', T);
    expect(r.ok && r.record.ttlSeconds).toBe(kDefaultTtlSeconds);
    expect(r.ok && r.record.segments).toEqual([]);
  });

  it('names the person deterministically from the first id', () => {
    expect(personIdFor('uid:a')).toBe(personIdFor('uid:a'));
    expect(personIdFor('uid:a')).not.toBe(personIdFor('uid:b'));
    expect(personIdFor('uid:a')).toMatch(/^p[\w-]{16}$/);
  });

  it.each([
    ['{"ids":', 'invalid JSON'],
    ['[1]', 'not a JSON object'],
    ['{"segments":["a"]}', 'ids: expected an object'],
    ['{"ids":{}}', 'no usable id'],
    ['{"ids":{"ifa":"00000000-0000-0000-0000-000000000000"}}', 'no usable id'],
    ['{"ids":{"email":"x"}}', 'ids.email: unknown id kind'],
    ['{"ids":{"uid":5}}', 'ids.uid: expected a string'],
    ['{"ids":{"uid":"u"},"ttl":-1}', 'ttl: expected seconds > 0'],
    ['{"ids":{"uid":"u"},"segments":"a"}', 'segments: expected an array'],
    ['{"ids":{"uid":"u"},"segments":[{"id":"a","source":4}]}', 'segments[0].source'],
    ['{"ids":{"uid":"u"},"segments":[7]}', 'segments[0]: expected'],
    ['{"ids":{"eids":[{"source":"x"}]}}', 'ids.eids[0]'],
  ])('rejects %s', (line, error) => {
    const r = parseJsonRecord(line, T);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });
});

describe('CSV records', () => {
  it('maps header columns, splits segments on |, and honours quotes', () => {
    const p = new CsvRecordParser('uid,ifa,eid:id5-sync.com,buid:xch,segments,ttl');
    const r = p.parse('u1,,e1,"b,1","a|b|c",600');
    expect(r).toEqual({
      ok: true,
      record: {
        ids: ['buid:xch:b,1', 'eid:id5-sync.com:e1', 'uid:u1'],
        personId: personIdFor('buid:xch:b,1'),
        segments: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
        ttlSeconds: 600,
      },
    });
    expect(p.parse('u2,,,,,').ok && (p.parse('u2,,,,,') as { record: { ttlSeconds: number } }).record.ttlSeconds).toBe(
      kDefaultTtlSeconds,
    );
  });

  it('reports bad rows and refuses an unusable header', () => {
    const p = new CsvRecordParser('uid,segments');
    expect(p.parse('a,b,c')).toEqual({ ok: false, error: 'expected 2 columns, got 3' });
    expect(p.parse(',x')).toEqual({ ok: false, error: 'no usable id' });
    expect(p.parse('"a,x')).toEqual({ ok: false, error: 'unbalanced quotes' });
    expect(() => new CsvRecordParser('segments,ttl')).toThrow(/no id column/);
    expect(() => new CsvRecordParser('uid,email')).toThrow(/unknown column "email"/);
  });

  it('splitCsv handles escaped quotes', () => {
    expect(splitCsv('a,"b ""q"" c",d')).toEqual(['a', 'b "q" c', 'd']);
    expect(splitCsv('plain,,x')).toEqual(['plain', '', 'x']);
  });
});
