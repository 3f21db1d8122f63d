import { describe, expect, it } from 'vitest';
import { parseParams } from '../../../src/endpoints/conversion-endpoint.js';
import type { RequestInfo } from '../../../src/http/server.js';

const info = (query: string, contentType = ''): RequestInfo => ({
  method: 'post',
  url: '/conv',
  query,
  param: '',
  contentType,
  contentEncoding: '',
  acceptEncoding: '',
  origin: '',
  authorization: '',
  remoteAddress: '',
  arrivedAtMs: 0,
  receivedAtMs: 0,
});
const ok = (r: ReturnType<typeof parseParams>) => (r.ok ? Object.fromEntries(r.params) : r.reply);
const code = (r: ReturnType<typeof parseParams>) => (r.ok ? 'ok' : `${r.reply.status} ${String(r.reply.body)}`);

describe('conversion endpoint parameters', () => {
  it('reads the query string, a form body and a JSON body (numbers as their text)', () => {
    expect(ok(parseParams(info('adv=acme&clid=c1&value=1.5'), undefined))).toEqual({
      adv: 'acme',
      clid: 'c1',
      value: '1.5',
    });
    expect(
      ok(parseParams(info('sig=ab', 'application/x-www-form-urlencoded'), Buffer.from('adv=acme&id=o%201'))),
    ).toEqual({ sig: 'ab', adv: 'acme', id: 'o 1' });
    expect(
      ok(
        parseParams(info('', 'application/json; charset=utf-8'), Buffer.from('{"adv":"acme","value":12.5,"id":"o1"}')),
      ),
    ).toEqual({ adv: 'acme', value: '12.5', id: 'o1' });
  });

  it('refuses repeats, non-scalar JSON, bad JSON and other content types', () => {
    expect(code(parseParams(info('adv=a&adv=b'), undefined))).toMatch(/^400 .*"path":"adv"/);
    expect(code(parseParams(info('adv=a', 'application/json'), Buffer.from('{"adv":"b"}')))).toMatch(/^400 .*repeated/);
    expect(code(parseParams(info('', 'application/json'), Buffer.from('{"value":{"x":1}}')))).toMatch(
      /^400 .*"path":"value"/,
    );
    expect(code(parseParams(info('', 'application/json'), Buffer.from('[1]')))).toMatch(/^400/);
    expect(code(parseParams(info('', 'application/json'), Buffer.from('{')))).toMatch(/^400 .*BAD_PARAM/);
    expect(code(parseParams(info('', 'application/xml'), Buffer.from('<a/>')))).toMatch(/^415/);
    expect(code(parseParams(info(Array.from({ length: 40 }, (_, i) => `p${i}=1`).join('&')), undefined))).toMatch(
      /^400 .*more than 32/,
    );
  });
});
